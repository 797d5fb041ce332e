"""The moderation page and the grade history: who may open them, what each step's form does,
what a refused step says, and that every read is logged."""

from __future__ import annotations

import datetime
import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from auditloop.accounts.models import Role
from auditloop.assurance.models import Moderation, ModerationStatus, ModeratorGrade
from auditloop.assurance.selectors.regrade import graded_questions
from auditloop.assurance.services.moderation_samples import moderation_moderator_assign
from auditloop.assurance.services.regrade import (
    moderation_agreement_confirm,
    moderation_escalate,
    moderation_regrade,
)
from auditloop.assurance.tests.regrade_factories import agreement_recorded, regraded, regrading
from auditloop.audits.tests.audit_factories import second_lead
from auditloop.core.models import AccessLog
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def _page(moderation: Moderation) -> str:
    return reverse("assurance:moderation_detail", args=[moderation.public_id])


def _step(moderation: Moderation, step: str) -> str:
    return reverse(f"assurance:moderation_{step}", args=[moderation.public_id])


def _history(moderation: Moderation) -> str:
    return reverse("assurance:grade_history", args=[moderation.audit.public_id])


def _text(response: Any) -> str:
    return str(response.content.decode())


def _regrade_data(moderation: Moderation, **codes: str) -> dict[str, str]:
    """Every domain Good and overall Good, except the codes given (by question code, or
    "overall"); a code of "" leaves that grade out."""
    data = {}
    for q in graded_questions(moderation.audit):
        data[f"regrade-q{q.pk}_grade"] = codes.get(q.code, "good")
        data[f"regrade-q{q.pk}_notes"] = ""
    data["regrade-overall_grade"] = codes.get("overall", "good")
    data["regrade-overall_notes"] = "Solid work."
    return {k: v for k, v in data.items() if v or k.endswith("_notes")}


# Who may open the moderation page --------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("moderator", 200),
        ("auditor", 200),
        ("practitioner", 200),
        ("team_manager", 200),
        ("senior_leader", 200),
        ("outsider", 404),
        ("board_member", 404),
        ("administrator", 404),
    ],
)
def test_the_moderation_page_opens_for_those_who_may_read_the_audit_and_its_moderator(
    p: Personas, who: str, status: int
) -> None:
    moderation = regrading(p)
    assert p.client_for(getattr(p, who)).get(_page(moderation)).status_code == status


def test_a_moderator_from_outside_the_line_reads_the_moderation_but_not_the_audits_page(
    p: Personas,
) -> None:
    """A trained manager from another service moderates: the moderation page holds all they
    need (the case and the evidence); the audit's own page stays closed to them."""
    outside = make_staff("southlead", "Sid South", Role.TEAM_MANAGER, p.south_a)
    moderation = regrading(p, moderator=outside)
    client = p.client_for(outside)
    page = client.get(_page(moderation))
    assert page.status_code == 200
    assert "Visits are regular." in _text(page)
    assert (
        client.get(reverse("audits:detail", args=[moderation.audit.public_id])).status_code == 404
    )


def test_opening_the_moderation_page_is_logged_as_a_read_of_the_audit(p: Personas) -> None:
    moderation = regrading(p)
    p.client_for(p.moderator).get(_page(moderation))
    read = AccessLog.objects.get(user=p.moderator.user, purpose="moderation")
    assert read.target_id == str(moderation.audit.public_id)


def test_the_page_title_never_carries_the_childs_id(p: Personas) -> None:
    moderation = regraded(p)
    for url in (_page(moderation), _history(moderation)):
        html = _text(p.client_for(p.moderator).get(url))
        title = html.split("<title>")[1].split("</title>")[0]
        assert moderation.audit.case.la_child_id not in title
        assert moderation.audit.case.la_child_id in html


def test_the_moderator_reads_the_same_facts_of_a_looked_after_childs_case_as_the_auditor(
    p: Personas,
) -> None:
    moderation = regrading(p)
    case = moderation.audit.case
    case.cohort = "CLA"
    case.last_health_assessment = datetime.date(2026, 3, 4)
    case.save(update_fields=["cohort", "last_health_assessment"])
    html = _text(p.client_for(p.moderator).get(_page(moderation)))
    assert "Last health assessment" in html
    assert "4 March 2026" in html


# The regrade ------------------------------------------------------------------------------------


def test_a_regrade_missing_grades_comes_back_naming_each_question_on_its_field(
    p: Personas,
) -> None:
    moderation = regrading(p)
    response = p.client_for(p.moderator).post(
        _step(moderation, "regrade"), _regrade_data(moderation, D3="", overall="")
    )
    assert response.status_code == 200
    html = _text(response)
    assert "<title>Error: " in html
    d3 = graded_questions(moderation.audit)[2]
    assert f'href="#id_regrade-q{d3.pk}_grade_0">Give a grade for D3 {escape(d3.text)}</a>' in html
    assert 'href="#id_regrade-overall_grade_0">Give an overall grade</a>' in html
    # What was chosen is kept, and nothing is saved.
    assert 'value="requires_improvement"' in html
    assert not ModeratorGrade.objects.exists()


def test_the_regrade_saves_and_shows_the_grades_side_by_side_with_the_differences(
    p: Personas,
) -> None:
    moderation = regrading(p)
    client = p.client_for(p.moderator)
    response = client.post(
        _step(moderation, "regrade"),
        _regrade_data(
            moderation, D1="inadequate", D4="outstanding", overall="requires_improvement"
        ),
    )
    assert response.status_code == 302
    html = _text(client.get(_page(moderation)))
    assert "Your grades are saved" in html
    assert "differs from the auditor's on 3 of 9 grades" in html
    assert "Moderator 2 grades lower" in html
    assert "Moderator 1 grade higher" in html
    assert "Moderator 1 grade lower" in html
    assert "Record the agreed grades" in html


def test_only_the_moderator_may_post_a_regrade(p: Personas) -> None:
    moderation = regrading(p)
    for someone in (p.auditor, second_lead(p)):
        response = p.client_for(someone).post(
            _step(moderation, "regrade"), _regrade_data(moderation)
        )
        assert response.status_code == 403
    assert not ModeratorGrade.objects.exists()


def test_a_moderator_replaced_while_the_page_was_open_is_told_and_sees_nothing_more(
    p: Personas,
) -> None:
    """A lead gives the moderation to someone else between the page's read and the save: the
    first moderator's grades are not saved, and they go back to their own list with the
    reason, not to a page of an audit they may no longer see."""
    outside = make_staff("southmgr2", "Sid South", Role.TEAM_MANAGER, p.south_a)
    second = make_staff("auditor2", "Ash Second Auditor", Role.AUDITOR, p.north_b)
    moderation = regrading(p, moderator=outside)

    def reassigned_then_saved(**kwargs: Any) -> Moderation:
        moderation_moderator_assign(
            moderation=Moderation.objects.get(pk=moderation.pk), moderator=second, by=p.moderator
        )
        return moderation_regrade(**kwargs)

    client = p.client_for(outside)
    with mock.patch(
        "auditloop.assurance.views.regrade.moderation_regrade", side_effect=reassigned_then_saved
    ):
        response = client.post(_step(moderation, "regrade"), _regrade_data(moderation))
    assert response.status_code == 302
    assert response["Location"] == reverse("assurance:moderation_mine")
    current = Moderation.objects.get(pk=moderation.pk)
    assert (current.moderator, current.status) == (second, ModerationStatus.REGRADING)
    assert not ModeratorGrade.objects.filter(moderation=current).exists()
    mine = _text(client.get(response["Location"]))
    assert "Only the moderator given this audit can regrade it" in mine
    assert client.get(_page(moderation)).status_code == 404


# Agreeing ----------------------------------------------------------------------------------------


def test_the_moderator_records_the_agreed_grades_and_the_auditor_confirms_them(
    p: Personas,
) -> None:
    moderation = regraded(p)
    d1 = graded_questions(moderation.audit)[0]
    data = {f"agree-q{q.pk}_grade": "good" for q in graded_questions(moderation.audit)}
    data |= {
        f"agree-q{d1.pk}_grade": "requires_improvement",
        f"agree-q{d1.pk}_reason": "The plan has no dates.",
        "agree-overall_grade": "requires_improvement",
        "agree-overall_reason": "Drift since the review.",
    }
    assert p.client_for(p.moderator).post(_step(moderation, "agree"), data).status_code == 302

    auditor = p.client_for(p.auditor)
    html = _text(auditor.get(_page(moderation)))
    assert "Confirm the agreed grades" in html
    moderation.refresh_from_db()
    assert moderation.proposed_at is not None
    response = auditor.post(
        _step(moderation, "confirm"), {"confirm-seen": moderation.proposed_at.isoformat()}
    )
    assert response.status_code == 302
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.AGREED
    html = _text(auditor.get(_page(moderation)))
    assert "These grades now count for this audit" in html


def test_agreed_grades_without_their_reasons_come_back_with_each_named(p: Personas) -> None:
    moderation = regraded(p)
    d1 = graded_questions(moderation.audit)[0]
    data = {f"agree-q{q.pk}_grade": "good" for q in graded_questions(moderation.audit)}
    data["agree-overall_grade"] = "good"
    html = _text(p.client_for(p.moderator).post(_step(moderation, "agree"), data))
    assert (
        f'href="#id_agree-q{d1.pk}_reason">'
        f"Give the reason for the grade for D1 {escape(d1.text)}</a>" in html
    )
    assert 'href="#id_agree-overall_reason">Give the reason for the overall grade</a>' in html


def test_a_stale_confirmation_is_refused_with_a_message(p: Personas) -> None:
    moderation = agreement_recorded(p)
    client = p.client_for(p.auditor)
    response = client.post(
        _step(moderation, "confirm"), {"confirm-seen": "2020-01-01T00:00:00+00:00"}, follow=True
    )
    assert "Read them again before you confirm" in _text(response)
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.AGREEING


def test_the_page_says_who_decides_if_they_cannot_agree(p: Personas) -> None:
    moderation = regraded(p)
    html = _text(p.client_for(p.auditor).get(_page(moderation)))
    assert "Nobody decides a disagreement they are part of." in html
    assert "The head of service for North, Lee Leader, decides." in html
    assert "Lee Leader decides" not in html


def test_each_grade_on_the_regrade_form_names_its_question_by_code_and_words(p: Personas) -> None:
    moderation = regrading(p)
    html = _text(p.client_for(p.moderator).get(_page(moderation)))
    for q in graded_questions(moderation.audit):
        assert f"Your grade for {q.code} {escape(q.text)}</legend>" in html


def test_saying_you_cannot_agree_without_a_reason_comes_back_with_the_error(p: Personas) -> None:
    moderation = regraded(p)
    response = p.client_for(p.auditor).post(_step(moderation, "cannot_agree"), {})
    assert response.status_code == 200
    assert "Say why you cannot agree" in _text(response)
    assert Moderation.objects.get(pk=moderation.pk).status == ModerationStatus.AGREEING


def test_the_head_of_service_decides_on_the_page(p: Personas) -> None:
    moderation = regraded(p)
    response = p.client_for(p.auditor).post(
        _step(moderation, "cannot_agree"), {"disagree-reason": "The plan improved since."}
    )
    assert response.status_code == 302
    leader = p.client_for(p.senior_leader)
    html = _text(leader.get(_page(moderation)))
    assert "Decide the grades in dispute" in html
    d1 = graded_questions(moderation.audit)[0]
    # Only D1 (and overall) were in dispute.
    assert f"decide-q{d1.pk}_grade" in html
    assert set(re.findall(r'name="(decide-q[^"]+)"', html)) == {
        f"decide-q{d1.pk}_grade",
        f"decide-q{d1.pk}_reason",
    }
    response = leader.post(
        _step(moderation, "decide"),
        {
            f"decide-q{d1.pk}_grade": "good",
            f"decide-q{d1.pk}_reason": "The plan improved.",
            "decide-overall_grade": "good",
            "decide-overall_reason": "Good practice overall.",
        },
    )
    assert response.status_code == 302
    moderation.refresh_from_db()
    assert moderation.status == ModerationStatus.DECIDED
    assert moderation.decided_by == p.senior_leader


def test_nobody_part_of_the_disagreement_is_offered_the_decision(p: Personas) -> None:
    moderation = regraded(p)
    moderation_escalate(moderation=moderation, by=p.moderator, reason="We differ.")
    for someone in (p.moderator, p.auditor, second_lead(p)):
        client: Client = p.client_for(someone)
        assert "Decide the grades in dispute" not in _text(client.get(_page(moderation)))
        assert client.post(_step(moderation, "decide"), {}).status_code == 403


# The grade history -------------------------------------------------------------------------------


def test_the_grade_history_shows_every_grade_with_who_when_and_why(p: Personas) -> None:
    moderation = agreement_recorded(p)
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    html = _text(p.client_for(p.auditor).get(_history(moderation)))
    assert "Alex Auditor, submitted" in html
    assert "Morgan Moderator, regraded blind" in html
    assert "confirmed by the auditor" in html
    assert "The plan is not SMART." in html  # the moderator's note on D1
    assert "Plan not SMART." in html  # the reason for D1's agreed grade
    assert "Drift since the review." in html


def test_the_grade_history_of_a_decided_disagreement_says_who_decided_and_why(
    p: Personas,
) -> None:
    moderation = regraded(p)
    moderation_escalate(moderation=moderation, by=p.auditor, reason="The plan improved since.")
    d1 = graded_questions(moderation.audit)[0]
    p.client_for(p.senior_leader).post(
        _step(moderation, "decide"),
        {
            f"decide-q{d1.pk}_grade": "good",
            f"decide-q{d1.pk}_reason": "The plan improved.",
            "decide-overall_grade": "good",
            "decide-overall_reason": "Good practice overall.",
        },
    )
    html = _text(p.client_for(p.moderator).get(_history(moderation)))
    assert "Could not agree" in html and "The plan improved since." in html
    assert "Lee Leader" in html and "Good practice overall." in html
    assert "Not in dispute: the grade both gave." in html


def test_an_audit_never_moderated_has_only_its_auditors_grades(p: Personas) -> None:
    moderation = regrading(p)
    Moderation.objects.filter(pk=moderation.pk).delete()
    html = _text(p.client_for(p.auditor).get(_history(moderation)))
    assert "This audit has not been moderated" in html


def test_reading_the_grade_history_is_logged(p: Personas) -> None:
    moderation = regraded(p)
    p.client_for(p.senior_leader).get(_history(moderation))
    read = AccessLog.objects.get(user=p.senior_leader.user, purpose="grade history")
    assert read.target_id == str(moderation.audit.public_id)


@pytest.mark.parametrize("who", ["outsider", "board_member", "administrator"])
def test_the_grade_history_is_not_found_for_those_who_may_not_read_the_audit(
    p: Personas, who: str
) -> None:
    moderation = regraded(p)
    assert p.client_for(getattr(p, who)).get(_history(moderation)).status_code == 404


def test_the_grade_history_gives_the_reason_for_an_agreed_overall_grade_kept_on_the_moderation(
    p: Personas,
) -> None:
    """An agreement settled without a recorded proposal (as the demo's history writes it) keeps
    its overall reason on the moderation: the grade history shows it, as the moderation does."""
    moderation = agreement_recorded(p)
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    Moderation.objects.filter(pk=moderation.pk).update(
        proposed_overall_grade=None, agreed_reason="Agreed at the meeting: drift since May."
    )
    client = p.client_for(p.auditor)
    assert "Agreed at the meeting: drift since May." in _text(client.get(_page(moderation)))
    assert "Agreed at the meeting: drift since May." in _text(client.get(_history(moderation)))


def test_the_grade_history_shows_how_far_apart_the_grades_are_as_a_tag_without_brackets(
    p: Personas,
) -> None:
    moderation = regraded(p)
    html = _text(p.client_for(p.auditor).get(_history(moderation)))
    assert '<strong class="govuk-tag govuk-tag--green">Same</strong>' in html
    assert not re.search(r"\(\s*<strong class=\"govuk-tag", html)


# Who reads the moderation's workings --------------------------------------------------------------

NOTE = "The plan is not SMART."  # the moderator's private note on D1 (see `regraded`)
CHOSEN = "Chosen because"


def test_the_practitioner_reads_neither_the_moderators_notes_nor_why_the_audit_was_chosen(
    p: Personas,
) -> None:
    moderation = agreement_recorded(p)
    client = p.client_for(p.practitioner)
    for url in (_page(moderation), _history(moderation)):
        html = _text(client.get(url))
        assert "Plan not SMART." in html  # the reason for the agreed grade is theirs to read
        assert NOTE not in html
        assert CHOSEN not in html
        assert moderation.get_reason_display() not in html


@pytest.mark.parametrize("who", ["moderator", "auditor", "lead", "head"])
def test_the_moderator_the_auditor_an_audit_lead_and_the_decider_read_the_workings(
    p: Personas, who: str
) -> None:
    moderation = regraded(p)
    moderation_escalate(moderation=moderation, by=p.auditor, reason="We differ.")
    someone = {
        "moderator": p.moderator,
        "auditor": p.auditor,
        "lead": second_lead(p),
        "head": p.senior_leader,
    }[who]
    client = p.client_for(someone)
    html = _text(client.get(_page(moderation)))
    assert NOTE in html
    assert f"{CHOSEN}</dt>" in html
    assert NOTE in _text(client.get(_history(moderation)))


def test_the_audits_page_tells_the_lead_not_the_practitioner_why_it_was_chosen(
    p: Personas,
) -> None:
    """The same rule on the audit's own page: one rule, `sees_moderation_workings`."""
    moderation = regraded(p)
    url = reverse("audits:detail", args=[moderation.audit.public_id])
    assert "Why it was chosen" not in _text(p.client_for(p.practitioner).get(url))
    assert "Why it was chosen" in _text(p.client_for(second_lead(p)).get(url))


def test_a_team_manager_reads_neither_the_moderators_notes_nor_why_it_was_chosen(
    p: Personas,
) -> None:
    moderation = regraded(p)
    html = _text(p.client_for(p.team_manager).get(_page(moderation)))
    assert NOTE not in html
    assert CHOSEN not in html


def test_the_auditor_reads_why_it_was_chosen_only_once_the_moderator_has_regraded(
    p: Personas,
) -> None:
    moderation = regrading(p)
    client = p.client_for(p.auditor)
    assert CHOSEN not in _text(client.get(_page(moderation)))
    regraded(p, moderation=moderation)
    assert CHOSEN in _text(client.get(_page(moderation)))


# The grade history for those the moderation admits ------------------------------------------------


def test_a_moderator_from_outside_the_line_follows_the_grade_history_link_once_they_have_regraded(
    p: Personas,
) -> None:
    """The moderation page links to the grade history; it opens for its moderator, though they
    may not read the audit itself, once they are no longer blind, and leads back to the
    moderation, not to the audit's page they cannot open."""
    outside = make_staff("southmgr3", "Sid South", Role.TEAM_MANAGER, p.south_a)
    moderation = regrading(p, moderator=outside)
    client = p.client_for(outside)
    assert client.get(_history(moderation)).status_code == 404  # blind
    regraded(p, moderation=moderation)
    page = _text(client.get(_page(moderation)))
    assert f'href="{_history(moderation)}"' in page
    response = client.get(_history(moderation))
    assert response.status_code == 200
    html = _text(response)
    assert "Sid South, regraded blind" in html
    assert f'href="{_page(moderation)}" class="govuk-back-link">Back to the moderation' in html
    assert reverse("audits:detail", args=[moderation.audit.public_id]) not in html
    read = AccessLog.objects.get(user=outside.user, purpose="grade history")
    assert read.target_id == str(moderation.audit.public_id)


def test_the_grade_history_stays_closed_to_someone_elses_moderation(p: Personas) -> None:
    """Moderating one audit opens no other audit's grade history."""
    outside = make_staff("southmgr4", "Sid South", Role.TEAM_MANAGER, p.south_a)
    regraded(p, moderation=regrading(p, moderator=outside))
    other = regraded(p)
    assert p.client_for(outside).get(_history(other)).status_code == 404


# What each grade means ------------------------------------------------------------------------


def test_the_regrade_form_says_what_each_grade_means_for_each_question_as_the_audit_form_does(
    p: Personas,
) -> None:
    moderation = regrading(p)
    html = _text(p.client_for(p.moderator).get(_page(moderation)))
    for q in graded_questions(moderation.audit):
        for code, words in q.descriptors.items():
            assert f'class="govuk-hint govuk-radios__hint">{escape(words)}</div>' in html, (q, code)
    d1 = graded_questions(moderation.audit)[0]
    hint = f"id_regrade-q{d1.pk}_grade_0-item-hint"
    assert f'aria-describedby="{hint}"' in html and f'id="{hint}"' in html


def test_the_decision_form_says_what_each_grade_means_for_each_question_in_dispute(
    p: Personas,
) -> None:
    moderation = regraded(p)
    moderation_escalate(moderation=moderation, by=p.auditor, reason="We differ.")
    html = _text(p.client_for(p.senior_leader).get(_page(moderation)))
    d1 = graded_questions(moderation.audit)[0]
    assert f'class="govuk-hint govuk-radios__hint">{escape(d1.descriptors["good"])}</div>' in html
