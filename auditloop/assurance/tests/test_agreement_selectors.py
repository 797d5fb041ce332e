"""The agreement figures read from the moderations in the database, and from a calibration
exercise."""

from __future__ import annotations

import datetime
import math
import warnings

import krippendorff
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from sklearn.metrics import cohen_kappa_score

from auditloop.accounts.models import Role
from auditloop.assurance.models import ModerationStatus
from auditloop.assurance.rules.agreement import agreement_of_pairs
from auditloop.assurance.selectors.agreement import (
    NO_REGRADE_YET,
    POOLED,
    agreement_by_auditor,
    agreement_by_cycle,
    agreement_by_question,
    agreement_cycles,
    agreement_pooled,
    calibration_agreement,
)
from auditloop.assurance.tests.agreement_factories import (
    calibration_make,
    cycle_make,
    grade_of,
    moderated_audit,
)
from auditloop.audits.models import Answer
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db
FOUR = (1, 2, 3, 4)
NORTH_ONLY = "north"


def _north(p: Personas) -> list[int]:
    return [p.north.pk]


def test_by_question_pairs_each_auditors_grade_with_the_moderators_blind_grade(
    p: Personas,
) -> None:
    moderated_audit(p, grades=[(3, 3), (2, 3)], overall=(3, 2))
    moderated_audit(p, grades=[(4, 3), (2, 2)], overall=(2, 2))
    moderated_audit(p, grades=[(1, 1), (3, 3)], overall=(4, 4))
    rows = agreement_by_question(service_ids=_north(p), cycle=None)
    assert [row.label for row in rows] == [
        "D1 Voice and lived experience",
        "D2 Assessment and analysis",
        "Overall grade",
    ]
    first, second, overall = (row.figures for row in rows)
    assert first is not None and second is not None and overall is not None
    assert first == agreement_of_pairs({(3, 3): 1, (4, 3): 1, (1, 1): 1}, scale=FOUR)
    assert second.exact.value == pytest.approx(2 / 3)
    assert overall.kappa_quadratic.value == pytest.approx(
        cohen_kappa_score([3, 2, 4], [2, 2, 4], labels=list(FOUR), weights="quadratic")
    )
    assert [row.auditors for row in rows] == [1, 1, 1]


def test_the_auditors_own_grade_counts_not_the_agreed_grade_beside_it(p: Personas) -> None:
    moderation = moderated_audit(p, grades=[(2, 4), (3, 3), (1, 1)], overall=(2, 4))
    before = agreement_pooled(service_ids=_north(p), cycle=None).figures
    Answer.objects.filter(audit=moderation.audit).update(agreed_grade=grade_of(p.quality_tool, 4))
    moderation.audit.agreed_overall_grade = grade_of(p.quality_tool, 4)
    moderation.audit.save()
    after = agreement_pooled(service_ids=_north(p), cycle=None).figures
    assert before == after
    assert after is not None and after.exact.value == pytest.approx(2 / 4)


@pytest.mark.parametrize(
    ("status", "counted"),
    [
        (ModerationStatus.UNASSIGNED, False),
        (ModerationStatus.REGRADING, False),
        (ModerationStatus.AGREEING, True),
        (ModerationStatus.AGREED, True),
        (ModerationStatus.ESCALATED, True),
        (ModerationStatus.DECIDED, True),
    ],
)
def test_only_moderations_whose_blind_regrade_is_done_are_counted(
    p: Personas, status: ModerationStatus, counted: bool
) -> None:
    moderated_audit(p, grades=[(3, 2)], overall=(3, 3), status=status)
    pooled = agreement_pooled(service_ids=None, cycle=None)
    assert pooled.figures is not None
    assert (pooled.figures.n_items == 2) is counted
    if not counted:
        assert pooled.figures.exact.reason == NO_REGRADE_YET


def test_figures_keep_to_the_services_the_reader_looks_across(p: Personas) -> None:
    moderated_audit(p, grades=[(3, 3)], overall=(3, 3))
    moderated_audit(p, grades=[(1, 4)], overall=(1, 4), team=p.south_a)
    north = agreement_pooled(service_ids=_north(p), cycle=None).figures
    everywhere = agreement_pooled(service_ids=None, cycle=None).figures
    assert north is not None and everywhere is not None
    assert (north.n_items, north.exact.value) == (2, 1.0)
    assert (everywhere.n_items, everywhere.exact.value) == (4, 0.5)


def test_a_cycle_counts_only_its_own_audits(p: Personas) -> None:
    spring = cycle_make(p, "Spring", datetime.date(2026, 1, 1))
    autumn = cycle_make(p, "Autumn", datetime.date(2026, 7, 1))
    moderated_audit(p, grades=[(3, 3), (2, 2)], cycle=spring)
    moderated_audit(p, grades=[(4, 1)], cycle=autumn)
    moderated_audit(p, grades=[(1, 1)])  # in no cycle
    rows = agreement_by_question(service_ids=_north(p), cycle=spring)
    assert [(row.label[:2], row.figures.n_items) for row in rows if row.figures] == [
        ("D1", 1),
        ("D2", 1),
    ]
    assert list(agreement_cycles(service_ids=_north(p))) == [autumn, spring]


def test_by_auditor_names_each_auditor_with_their_own_figures(p: Personas) -> None:
    other = make_staff("auditor2", "Bea Auditor", Role.AUDITOR, p.north_b)
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3))
    moderated_audit(p, grades=[(4, 2), (1, 3)], overall=(4, 2), auditor=other)
    rows = agreement_by_auditor(service_ids=_north(p), cycle=None)
    assert [row.label for row in rows] == ["Alex Auditor", "Bea Auditor"]
    alex, bea = (row.figures for row in rows)
    assert alex is not None and bea is not None
    assert (alex.n_items, alex.exact.value) == (3, 1.0)
    assert (bea.exact.value, bea.within_one.value) == (0.0, 0.0)


def test_by_cycle_has_a_row_for_every_cycle_saying_where_nothing_is_regraded(
    p: Personas,
) -> None:
    spring = cycle_make(p, "Spring", datetime.date(2026, 1, 1))
    autumn = cycle_make(p, "Autumn", datetime.date(2026, 7, 1))
    moderated_audit(p, grades=[(3, 3), (2, 3), (4, 4)], overall=(3, 3), cycle=spring)
    rows = agreement_by_cycle(service_ids=_north(p), cycles=[autumn, spring])
    assert [(row.label, row.key) for row in rows] == [
        ("Autumn", str(autumn.public_id)),
        ("Spring", str(spring.public_id)),
    ]
    empty, full = (row.figures for row in rows)
    assert empty is not None and full is not None
    assert empty.exact.value is None and empty.exact.reason == NO_REGRADE_YET
    assert (full.n_items, full.exact.value) == (4, 0.75)
    assert rows[0].hint == "1 Jul 2026 to 29 Dec 2026"


def test_rows_from_too_few_auditors_are_withheld_without_figures(p: Personas) -> None:
    moderated_audit(p, grades=[(3, 3)], overall=(3, 3))
    row = agreement_pooled(service_ids=_north(p), cycle=None, min_auditors=3)
    assert row.label == POOLED
    assert row.figures is None
    assert row.withheld.startswith("Not shown: drawn from fewer than 3 auditors' audits")
    for n in (2, 3):
        auditor = make_staff(f"extra{n}", f"Extra {n}", Role.AUDITOR, p.north_b)
        moderated_audit(p, grades=[(3, 2)], overall=(3, 3), auditor=auditor)
    row = agreement_pooled(service_ids=_north(p), cycle=None, min_auditors=3)
    assert row.figures is not None and not row.withheld


def test_the_tables_ask_the_same_queries_for_none_one_or_many_moderations(p: Personas) -> None:
    spring = cycle_make(p, "Spring", datetime.date(2026, 1, 1))
    autumn = cycle_make(p, "Autumn", datetime.date(2026, 7, 1))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            agreement_by_question(service_ids=_north(p), cycle=spring)
            agreement_by_auditor(service_ids=_north(p), cycle=spring)
            agreement_by_cycle(service_ids=_north(p), cycles=[autumn, spring])
            agreement_pooled(service_ids=_north(p), cycle=spring)
        return len(captured.captured_queries)

    # A council with nothing moderated yet asks as many: the large council's test compares it.
    none = queries()
    moderated_audit(p, grades=[(3, 3), (2, 2)], overall=(3, 3), cycle=spring)
    one = queries()
    assert one == none
    for n in range(8):
        auditor = make_staff(f"many{n}", f"Many {n}", Role.AUDITOR, p.north_b)
        moderated_audit(
            p,
            grades=[(1 + n % 4, 2), (3, 1 + n % 3), (4, 4)],
            overall=(2, 1 + n % 4),
            cycle=spring if n % 2 else autumn,
            auditor=auditor,
        )
    assert queries() == one


def test_calibration_waits_until_every_auditor_has_submitted(p: Personas) -> None:
    others = [make_staff(f"cal{n}", f"Cal {n}", Role.AUDITOR, p.north_b) for n in range(2)]
    exercise = calibration_make(
        p,
        auditors=[p.auditor, *others],
        grades=[[3, 2, 3], [3, 3, 3], [2, 2, 4]],
        overall=[3, 3, 2],
        submitted=2,
    )
    figures = calibration_agreement(exercise)
    assert figures.alpha_ordinal.value is None
    assert figures.alpha_ordinal.reason == (
        "2 of 3 auditors have submitted: the figures are worked out once every auditor has."
    )


def test_calibration_gives_krippendorffs_alpha_across_every_auditor(p: Personas) -> None:
    others = [make_staff(f"cal{n}", f"Cal {n}", Role.AUDITOR, p.north_b) for n in range(3)]
    grades = [[3, 2, 3, 4, 2], [3, 3, 3, 4, 1], [2, 2, 4, 3, 2], [3, 2, 3, 4]]
    overall = [3, 3, 2, 3]
    exercise = calibration_make(p, auditors=[p.auditor, *others], grades=grades, overall=overall)
    figures = calibration_agreement(exercise)
    assert (figures.n_raters, figures.n_items) == (4, 6)
    # Raters x items, the overall grade last; the fourth auditor left the fifth question.
    data = [[*g, *([math.nan] * (5 - len(g))), o] for g, o in zip(grades, overall, strict=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = krippendorff.alpha(
            reliability_data=data, value_domain=list(FOUR), level_of_measurement="ordinal"
        )
    assert figures.alpha_ordinal.value == pytest.approx(expected)
    assert "kappa_linear" not in figures.as_json()


def test_calibration_with_nobody_taking_part_says_so(p: Personas) -> None:
    exercise = calibration_make(p, auditors=[], grades=[], overall=[])
    assert calibration_agreement(exercise).alpha_ordinal.reason == (
        "Nobody has been given this calibration exercise yet."
    )
