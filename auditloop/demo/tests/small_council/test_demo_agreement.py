"""The agreement figures `auditloop agreement --json` prints for the demo council are the
reference libraries' figures on the same pairs, found here by a plainer route: scikit-learn's
weighted kappas and the krippendorff package's ordinal alpha, per question and overall."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import krippendorff
import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django import DjangoDbBlocker
from sklearn.metrics import cohen_kappa_score

from auditloop.assurance.models import Moderation, ModerationStatus, ModeratorGrade
from auditloop.audits.models import Answer, Grade

pytestmark = pytest.mark.django_db
REGRADED = [
    ModerationStatus.AGREEING,
    ModerationStatus.AGREED,
    ModerationStatus.ESCALATED,
    ModerationStatus.DECIDED,
]
OVERALL = "Overall grade"

type Key = tuple[str, str]  # (tool name, question label)


@pytest.fixture(scope="module")
def printed(small: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("agreement", "--json", stdout=out)
        yield {"json": json.loads(out.getvalue()), "pairs": _pairs()}
        transaction.set_rollback(True)


def _pairs() -> dict[Key, list[tuple[int, int, int]]]:
    """(auditor's grade, moderator's grade, scale id) for every regraded moderation, by tool
    and question, read row by row."""
    by: dict[Key, list[tuple[int, int, int]]] = defaultdict(list)
    given = {
        (a.audit_id, a.question_id): a.grade
        for a in Answer.objects.filter(
            audit__moderation__status__in=REGRADED, grade__isnull=False
        ).select_related("grade")
    }
    for m in ModeratorGrade.objects.filter(moderation__status__in=REGRADED).select_related(
        "grade", "question", "moderation__audit__tool_version__tool"
    ):
        auditors = given.get((m.moderation.audit_id, m.question_id))
        if auditors is None:
            continue
        tool = m.moderation.audit.tool_version.tool.name
        label = f"{m.question.code} {m.question.text}"
        by[(tool, label)].append((auditors.value, m.grade.value, m.grade.scale_id))
    for moderation in Moderation.objects.filter(
        status__in=REGRADED, moderator_overall_grade__isnull=False
    ).select_related(
        "audit__overall_grade", "moderator_overall_grade", "audit__tool_version__tool"
    ):
        auditors = moderation.audit.overall_grade
        moderators = moderation.moderator_overall_grade
        if auditors is None or moderators is None:
            continue
        tool = moderation.audit.tool_version.tool.name
        by[(tool, OVERALL)].append((auditors.value, moderators.value, moderators.scale_id))
    return by


def _row(printed: dict[str, Any], key: Key) -> dict[str, Any]:
    tool, label = key
    rows: list[dict[str, Any]] = [
        r
        for r in printed["json"]["by_question"]
        if r["tool"] == tool and (r["question"] == label or label.startswith(r["question"]))
    ]
    assert len(rows) == 1, (key, [r["question"] for r in rows])
    return rows[0]


def test_every_question_moderated_in_the_demo_has_its_line(printed: dict[str, Any]) -> None:
    assert len(printed["pairs"]) == len(printed["json"]["by_question"]) >= 9
    assert printed["json"]["n_raters"] == 2
    assert printed["json"]["n_items"] == sum(len(p) for p in printed["pairs"].values())


def test_each_questions_figures_are_the_reference_libraries_figures(
    printed: dict[str, Any],
) -> None:
    for key, pairs in printed["pairs"].items():
        row = _row(printed, key)
        auditors = [a for a, _, _ in pairs]
        moderators = [m for _, m, _ in pairs]
        labels = sorted(Grade.objects.filter(scale_id=pairs[0][2]).values_list("value", flat=True))
        assert row["n_items"] == len(pairs)
        assert row["exact"] == pytest.approx(
            sum(a == m for a, m in zip(auditors, moderators, strict=True)) / len(pairs), abs=1e-6
        )
        steps = [abs(labels.index(a) - labels.index(m)) for a, m, _ in pairs]
        assert row["within_one"] == pytest.approx(
            sum(step <= 1 for step in steps) / len(pairs), abs=1e-6
        )
        for weights in ("linear", "quadratic"):
            reference = cohen_kappa_score(auditors, moderators, labels=labels, weights=weights)
            assert row[f"kappa_{weights}"] == pytest.approx(reference, abs=1e-6), (key, weights)
        alpha = krippendorff.alpha(
            reliability_data=np.array([auditors, moderators], dtype=float),
            value_domain=labels,
            level_of_measurement="ordinal",
        )
        assert row["alpha_ordinal"] == pytest.approx(alpha, abs=1e-6), key
