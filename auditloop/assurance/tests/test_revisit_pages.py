"""The revisit pages: scheduling one from an audit's page, and the revisits page with its
figures (the signed-rank test only with enough pairs, saying why not otherwise) and its list of
revisits overdue, due and done, naming children only to readers of their audits."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.rules.revisits import signed_rank_test
from auditloop.assurance.selectors.revisits import revisit_figures, revisit_scope
from auditloop.audits.models import Answer, Audit, ComplianceAnswer
from auditloop.audits.tests.revisit_factories import (
    answered,
    earlier_audit,
    grade_of,
    marked_submitted,
    on_gapped_scale,
    revisit_of,
)
from auditloop.core.models import AccessLog
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff

REVISITS = reverse("assurance:revisits")
REASON = "Check the plan is back on track."


def _schedule_url(audit: Audit) -> str:
    return reverse("assurance:revisit_schedule", args=[audit.public_id])


def _text(response: object) -> str:
    return re.sub(r"\s+", " ", response.content.decode())  # type: ignore[attr-defined]


def _get(p: Personas, staff: StaffMember, url: str) -> str:
    response = p.client_for(staff).get(url)
    assert response.status_code == 200
    return _text(response)


def _pair(p: Personas, *, before: str = "inadequate", after: str = "good", **answers: str) -> Audit:
    """A submitted revisit of a submitted audit graded `before`, graded `after` overall, its
    checks Yes except those named (A2="no")."""
    revisit = revisit_of(p, earlier_audit(p, overall=before))
    answered(revisit, overall=after, compliance=ComplianceAnswer.YES, by_code=answers)
    return marked_submitted(revisit)


# Scheduling from the audit's page ---------------------------------------------------------


def test_the_audit_page_offers_a_lead_over_its_service_to_schedule_a_revisit(
    p: Personas,
) -> None:
    earlier = earlier_audit(p)
    text = _get(p, p.moderator, reverse("audits:detail", args=[earlier.public_id]))
    assert f'href="{_schedule_url(earlier)}">Schedule a revisit of this audit</a>' in text


def test_no_link_on_a_draft_nor_for_a_senior_leader(
    p: Personas,
) -> None:
    earlier = earlier_audit(p)
    draft = revisit_of(p, earlier)
    assert "Schedule a revisit" not in _get(
        p, p.moderator, reverse("audits:detail", args=[draft.public_id])
    )
    assert "Schedule a revisit" not in _get(
        p, p.senior_leader, reverse("audits:detail", args=[earlier.public_id])
    )


def test_a_lead_schedules_a_revisit_from_the_page_and_lands_on_it(p: Personas) -> None:
    earlier = earlier_audit(p)
    client = p.client_for(p.moderator)
    form = _text(client.get(_schedule_url(earlier)))
    assert "<title>Schedule a revisit" in form
    assert p.case.la_child_id not in form.split("<title>")[1].split("</title>")[0]
    assert "Alex Auditor did the earlier audit and is chosen" in form
    assert "answers beside the questions only if they may read that audit." in form
    response = client.post(
        _schedule_url(earlier), {"reason": REASON, "auditor": str(p.auditor.public_id)}
    )
    revisit = Audit.objects.get(revisit_of=earlier)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[revisit.public_id])
    assert revisit.revisit_reason == REASON
    assert revisit.due_date == timezone.localdate() + datetime.timedelta(weeks=6)


def test_the_schedule_form_names_what_is_missing_or_wrong(p: Personas) -> None:
    earlier = earlier_audit(p)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    text = _text(
        p.client_for(p.moderator).post(
            _schedule_url(earlier),
            {
                "reason": "",
                "due_date-day": str(yesterday.day),
                "due_date-month": str(yesterday.month),
                "due_date-year": str(yesterday.year),
                "auditor": str(p.auditor.public_id),
            },
        )
    )
    assert "<title>Error: Schedule a revisit" in text
    assert '<a href="#id_reason">Enter why the audit is to be revisited</a>' in text
    text = _text(
        p.client_for(p.moderator).post(
            _schedule_url(earlier),
            {
                "reason": REASON,
                "due_date-day": str(yesterday.day),
                "due_date-month": str(yesterday.month),
                "due_date-year": str(yesterday.year),
                "auditor": str(p.auditor.public_id),
            },
        )
    )
    assert "The due date must be today or in the future." in text
    assert not Audit.objects.filter(revisit_of=earlier).exists()


def test_an_unfinished_revisit_is_explained_instead_of_the_form(p: Personas) -> None:
    earlier = earlier_audit(p)
    revisit_of(p, earlier)
    text = _get(p, p.moderator, _schedule_url(earlier))
    assert "A revisit of this audit is already planned" in text
    assert 'name="reason"' not in text


def test_the_schedule_page_is_for_leads_over_the_audits_service(p: Personas) -> None:
    earlier = earlier_audit(p)
    south_lead = make_staff("southlead", "Sol South", Role.MODERATOR, services=[p.south])
    assert p.client_for(p.senior_leader).get(_schedule_url(earlier)).status_code == 403
    assert p.client_for(south_lead).get(_schedule_url(earlier)).status_code == 404
    assert p.client_for(south_lead).post(
        _schedule_url(earlier), {"reason": REASON}
    ).status_code == (404)
    assert not Audit.objects.filter(revisit_of=earlier).exists()


# The revisits page --------------------------------------------------------------------------


def test_the_list_shows_overdue_then_due_then_done(p: Personas) -> None:
    today = timezone.localdate()
    done_before = _pair(p)
    Audit.objects.filter(pk=done_before.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=5),
        due_date=today - datetime.timedelta(days=20),
    )
    done = _pair(p)  # submitted today, though it was due later: done ones go latest first
    Audit.objects.filter(pk=done.pk).update(due_date=today - datetime.timedelta(days=10))
    due = revisit_of(p, earlier_audit(p))
    overdue = revisit_of(p, earlier_audit(p))
    Audit.objects.filter(pk=due.pk).update(due_date=today + datetime.timedelta(days=9))
    Audit.objects.filter(pk=overdue.pk).update(due_date=today - datetime.timedelta(days=3))
    text = _get(p, p.moderator, REVISITS)
    ids = [str(a.public_id) for a in (overdue, due, done, done_before)]
    assert [text.index(i) for i in ids] == sorted(text.index(i) for i in ids)
    assert '<li><a class="govuk-link"' in text
    assert "1 overdue</a>" in text and "1 due</a>" in text and "2 done</a>" in text
    assert "Better by 2 grades (Inadequate, now Good)" in text
    only_overdue = _get(p, p.moderator, f"{REVISITS}?show=overdue")
    assert ids[0] in only_overdue
    assert not any(i in only_overdue for i in ids[1:])


def test_a_senior_leader_sees_a_draft_revisit_without_the_childs_id(p: Personas) -> None:
    planned = revisit_of(p, earlier_audit(p))
    text = _get(p, p.senior_leader, REVISITS)
    assert "Not shown" in text
    assert reverse("audits:detail", args=[planned.public_id]) not in text
    assert p.case.la_child_id not in text
    assert not AccessLog.objects.filter(target_id=str(planned.public_id)).exists()


def test_the_children_named_on_the_list_are_logged_as_read(p: Personas) -> None:
    done = _pair(p)
    earlier = done.revisit_of
    assert earlier is not None
    _get(p, p.senior_leader, REVISITS)
    logged = set(
        AccessLog.objects.filter(user=p.senior_leader.user).values_list("target_id", "purpose")
    )
    assert logged == {(str(done.public_id), "listed"), (str(earlier.public_id), "listed")}


def test_with_too_few_pairs_the_figures_are_descriptive_and_the_page_says_why(
    p: Personas,
) -> None:
    _pair(p)
    _pair(p, before="inadequate", after="inadequate")
    text = _get(p, p.moderator, REVISITS)
    assert "Overall grade: 2 revisits compared" in text
    assert (
        "Descriptive figures only. Only 1 pair changed: the signed-rank test needs at least 6"
        in (text)
    )
    assert "Not run: 1 changed, 6 needed" in text
    assert "p =" not in text


def test_with_enough_pairs_the_page_gives_the_signed_rank_test_and_its_effect_size(
    p: Personas,
) -> None:
    for _ in range(6):
        _pair(p)
    text = _get(p, p.moderator, REVISITS)
    assert "Overall grade: 6 revisits compared" in text
    assert "6 (100%)" in text
    assert "p = 0.031, r = 1.00 (large)" in text
    assert "matched-pairs rank-biserial correlation, is r = 1.00: large, towards better" in text
    assert "Descriptive figures only" not in text.split("Compliance dip sample: question")[0]


def test_question_figures_compare_checks_of_the_same_tool(p: Personas) -> None:
    _pair(p, A2="no")
    _pair(p, A2="no")
    text = _get(p, p.moderator, REVISITS)
    table = text.split("Compliance dip sample: question by question")[1].split("</table>")[0]
    a1 = table.split(">A1 ")[1].split("</tr>")[0]
    a2 = table.split(">A2 ")[1].split("</tr>")[0]
    assert ">2 (100%)<" in a1.replace("</td>", "<").replace('numeric">', ">")
    assert "Not run: 2 changed, 6 needed" in a1
    assert "Not run: no pair changed" in a2


def test_the_figures_use_the_grades_agreed_at_moderation(p: Personas) -> None:
    quality = earlier_audit(p, tool=p.quality_tool, overall="inadequate")
    revisit = revisit_of(p, quality)
    answered(revisit, overall="good", grade_code="good")
    marked_submitted(revisit)
    # Agreed at moderation: Good overall, not the auditor's Inadequate; D1 Good too.
    good = grade_of(p.quality_tool, "good")
    Audit.objects.filter(pk=quality.pk).update(agreed_overall_grade=good)
    Answer.objects.filter(audit=quality, question__code="D1").update(agreed_grade=good)
    text = _get(p, p.moderator, REVISITS)
    assert "The same (Good both times)" in text
    overall = text.split("Overall grade: 1 revisit compared")[1].split("</table>")[0]
    assert "Not run: no pair changed" in overall
    d1 = text.split(">D1 ")[1].split("</tr>")[0]
    d2 = text.split(">D2 ")[1].split("</tr>")[0]
    assert "Not run: no pair changed" in d1
    assert "Not run: 1 changed, 6 needed" in d2


def _quality_pair(p: Personas, before: str, after: str) -> Audit:
    """A submitted revisit of a quality deep dive: every domain and overall `before`, then
    `after`."""
    revisit = revisit_of(
        p, earlier_audit(p, tool=p.quality_tool, overall=before, grade_code=before)
    )
    answered(revisit, overall=after, grade_code=after)
    return marked_submitted(revisit)


def test_the_list_counts_a_change_in_steps_on_the_scale_not_in_grade_values(
    p: Personas,
) -> None:
    on_gapped_scale(p.quality_tool)  # Inadequate 0, Requires improvement 5, Good 10, ...
    _quality_pair(p, "inadequate", "good")
    text = _get(p, p.moderator, REVISITS)
    assert "Better by 2 grades (Inadequate, now Good)" in text
    assert "by 10 grades" not in text


def test_the_signed_rank_test_and_its_effect_size_use_steps_on_the_scale_not_values(
    p: Personas,
) -> None:
    # Five pairs one step better (5 in values) and two one step worse (20 in values, Outstanding
    # at 30 to Good at 10): in steps the changes tie; in values the two worse would rank higher.
    on_gapped_scale(p.quality_tool)
    for _ in range(5):
        _quality_pair(p, "inadequate", "requires_improvement")
    for _ in range(2):
        _quality_pair(p, "outstanding", "good")
    figures = revisit_figures(revisit_scope(p.moderator))
    expected = signed_rank_test([1] * 5 + [-1] * 2)
    assert expected is not None
    d1 = next(q for q in figures.tools[0].questions if q.code == "D1")
    for found in (figures.overall, d1.figures):
        assert (found.improved, found.unchanged, found.worse) == (5, 0, 2)
        assert found.test is not None
        assert found.test.effect == pytest.approx(expected.effect)  # 12 / 28 = 0.43
        assert found.test.p_value == pytest.approx(expected.p_value)
        assert found.test.rank_sum_better == pytest.approx(20.0)


def test_the_scope_narrows_to_a_service_and_to_the_cycle_revisited(p: Personas) -> None:
    in_cycle = _pair(p)
    _pair(p)
    cycle = Cycle.objects.create(
        name="North 2026", starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 11, 30)
    )
    cycle.services.set([p.north])
    earlier = in_cycle.revisit_of
    assert earlier is not None
    CycleAudit.objects.create(cycle=cycle, audit=earlier, planned_month=datetime.date(2026, 6, 1))
    text = _get(p, p.moderator, f"{REVISITS}?cycle={cycle.public_id}")
    assert "Overall grade: 1 revisit compared" in text
    text = _get(p, p.moderator, f"{REVISITS}?service={p.north.public_id}")
    assert "Overall grade: 2 revisits compared" in text


def test_a_service_or_cycle_the_reader_does_not_oversee_gets_a_clear_message(
    p: Personas,
) -> None:
    _pair(p)
    south = Cycle.objects.create(
        name="South 2026", starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 11, 30)
    )
    south.services.set([p.south])
    text = _get(p, p.moderator, f"{REVISITS}?service={p.south.public_id}&cycle={south.public_id}")
    assert "<title>Error: Revisits" in text
    assert '<a href="#id_service">Choose one of the services you oversee</a>' in text
    assert '<a href="#id_cycle">Choose a cycle of the services you oversee</a>' in text
    # The page still shows what the reader may see: their own services.
    assert "Overall grade: 1 revisit compared" in text


def test_a_lead_sees_only_the_revisits_of_their_services(p: Personas) -> None:
    _pair(p)
    south_lead = make_staff("southlead", "Sol South", Role.MODERATOR, services=[p.south])
    text = _get(p, south_lead, REVISITS)
    assert "No revisit has been submitted here yet" in text
    assert "There are no revisits to show here." in text


def test_inadequate_audits_not_yet_revisited_are_listed_to_schedule(p: Personas) -> None:
    waiting = earlier_audit(p)
    _pair(p)
    earlier_audit(p, overall="good")
    text = _get(p, p.moderator, f"{REVISITS}?show=unscheduled")
    assert "1 Inadequate audit not yet revisited" in text
    assert f'href="{_schedule_url(waiting)}">Schedule a revisit' in text
    assert "Schedule a revisit" not in _get(p, p.senior_leader, f"{REVISITS}?show=unscheduled")


def test_the_page_asks_as_many_queries_for_many_revisits_as_for_one(p: Personas) -> None:
    client = p.client_for(p.moderator)

    def counted(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries.captured_queries)

    def grow() -> None:
        _pair(p, A3="no")
        revisit_of(p, earlier_audit(p))
        earlier_audit(p)
        quality = earlier_audit(p, tool=p.quality_tool)
        revisit = revisit_of(p, quality)
        answered(revisit, overall="good", grade_code="good")
        marked_submitted(revisit)

    urls = [REVISITS, f"{REVISITS}?show=unscheduled", f"{REVISITS}?show=done"]
    grow()
    one = [counted(url) for url in urls]
    for _ in range(4):
        grow()
    assert [counted(url) for url in urls] == one
