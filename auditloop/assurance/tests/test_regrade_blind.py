"""The blind regrade holds everywhere: until the moderator has given their own grade for every
graded question and overall, no page, list, case file, planning page, grade history or API
answer shows them the audit's grades, although as an audit lead over its service they may
otherwise read every audit there. One rule decides (`grades_hidden_filter`); each place is
tested here, for the moderator before and after their regrade, and for another audit lead."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.assurance.tests.regrade_factories import regraded, regrading, submitted_deep_dive
from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import Audit
from auditloop.audits.selectors.audits import audits_visible_to
from auditloop.audits.tests.audit_factories import second_lead
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

GRADE_TAG = re.compile(
    r'<strong class="govuk-tag[^"]*">\s*'
    r"(Outstanding|Good|Requires improvement|Inadequate)\s*</strong>"
)
ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="govuk-table__cell">(.*?)</td>', re.S)


def _text(client: Client, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _cells(html: str, column: int) -> list[str]:
    rows = [CELL.findall(row) for row in ROW.findall(html)]
    return [re.sub(r"\s+", " ", r[column]).strip() for r in rows if len(r) > column]


# Each place that shows an audit's grade: what it shows this reader of this audit.


def _audit_page(client: Client, audit: Audit) -> str:
    html = _text(client, reverse("audits:detail", args=[audit.public_id]))
    descriptor = audit.tool_version.sections.first().questions.first().descriptors["good"]  # type: ignore[union-attr]
    shown = GRADE_TAG.findall(html) + ([descriptor] if descriptor in html else [])
    return " ".join(shown)


def _audit_list(client: Client, audit: Audit) -> str:
    return " ".join(_cells(_text(client, reverse("audits:list")), 7))


def _case_file(client: Client, audit: Audit) -> str:
    return " ".join(_cells(_text(client, reverse("cases:detail", args=[audit.case.public_id])), 3))


def _planning(client: Client, audit: Audit) -> str:
    """The lead planning another audit of the case: its recent audits and those a revisit
    could follow up, each named with its grade."""
    html = _text(client, reverse("audits:create"), {"la_child_id": audit.case.la_child_id})
    return " ".join(re.findall(r"submitted [^<]*", html))


def _api_list(client: Client, audit: Audit) -> str:
    items = client.get("/api/v1/audits").json()["items"]
    return " ".join(str(i["overall_grade"]) for i in items if i["id"] == str(audit.public_id))


def _api_detail(client: Client, audit: Audit) -> str:
    body = client.get(f"/api/v1/audits/{audit.public_id}").json()
    return " ".join(
        [str(body["overall_grade"]), str(body["overall_grade_value"])]
        + [str(a["grade"]) for a in body["answers"]]
        + [str(a["grade_value"]) for a in body["answers"]]
    )


def _grade_history(client: Client, audit: Audit) -> str:
    html = _text(client, reverse("assurance:grade_history", args=[audit.public_id]))
    return " ".join(GRADE_TAG.findall(html))


PLACES: dict[str, Callable[[Client, Audit], str]] = {
    "audit page": _audit_page,
    "audit list": _audit_list,
    "case file": _case_file,
    "planning": _planning,
    "API list": _api_list,
    "API detail": _api_detail,
    "grade history": _grade_history,
}

# What each place shows when the grades are hidden, and that they are hidden (not "not graded").
HIDDEN = {
    "audit page": "",
    "audit list": "Hidden until you have regraded it",
    "case file": "Hidden until you have regraded it",
    "planning": "grade hidden until you",
    "API list": "None",
    "API detail": "None",
    "grade history": "",
}


DATE = re.compile(
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December) \d{4}\b"
)


def _shows_a_grade(text: str) -> bool:
    """A grade's words, or its score (3) anywhere but in a date: on the 3rd of a month the
    submission date ("submitted 3 December 2026") is not a grade."""
    return bool(
        re.search(
            r"good|outstanding|inadequate|requires improvement|\b3\b", DATE.sub("", text), re.I
        )
    )


@pytest.mark.parametrize("place", PLACES)
def test_the_moderator_sees_no_grade_of_the_audit_until_they_have_regraded(
    p: Personas, place: str
) -> None:
    moderation = regrading(p)
    shown = PLACES[place](p.client_for(p.moderator), moderation.audit)
    assert not _shows_a_grade(shown), f"{place} shows the moderator {shown!r}"
    assert HIDDEN[place] in shown


@pytest.mark.parametrize("place", PLACES)
def test_another_audit_lead_sees_the_grades_while_the_moderator_regrades(
    p: Personas, place: str
) -> None:
    moderation = regrading(p)
    shown = PLACES[place](p.client_for(second_lead(p)), moderation.audit)
    assert _shows_a_grade(shown), f"{place} shows another lead {shown!r}"


@pytest.mark.parametrize("place", PLACES)
def test_the_moderator_sees_the_grades_once_they_have_regraded(p: Personas, place: str) -> None:
    moderation = regraded(p)
    shown = PLACES[place](p.client_for(p.moderator), moderation.audit)
    assert _shows_a_grade(shown), f"{place} still hides the grades: {shown!r}"


def test_the_moderator_still_sees_the_grades_of_the_audits_they_do_not_moderate(
    p: Personas,
) -> None:
    regrading(p)
    other = submitted_deep_dive(p)
    assert _shows_a_grade(_audit_page(p.client_for(p.moderator), other))
    assert _api_detail(p.client_for(p.moderator), other).count("good") == 9


def test_the_moderation_page_shows_the_evidence_but_not_the_auditors_grades_nor_why_chosen(
    p: Personas,
) -> None:
    moderation = regrading(p)
    html = _text(
        p.client_for(p.moderator),
        reverse("assurance:moderation_detail", args=[moderation.public_id]),
    )
    assert "Direct work." in html  # what is working well, per domain
    assert "Visits are regular." in html  # the strengths
    assert "You are regrading this audit blind" in html
    assert not GRADE_TAG.findall(html)
    assert "Auditor's grade" not in html
    # Why the audit was chosen tells something of its grade (Inadequate, Outstanding, or not).
    assert "Chosen because" not in html
    assert "Chosen at random" not in html


def test_the_moderation_page_shows_the_auditors_grades_to_others_who_read_the_audit(
    p: Personas,
) -> None:
    moderation = regrading(p)
    html = _text(
        p.client_for(second_lead(p)),
        reverse("assurance:moderation_detail", args=[moderation.public_id]),
    )
    assert "Auditor's grade" in html
    assert "Morgan Moderator is regrading this audit blind" in html


def test_the_blind_rule_holds_for_the_moderator_alone_and_only_until_the_regrade(
    p: Personas,
) -> None:
    moderation = regrading(p)
    audit = moderation.audit

    def hidden_from(staff: StaffMember) -> bool:
        return Audit.objects.filter(grades_hidden_filter(staff), pk=audit.pk).exists()

    assert hidden_from(p.moderator)
    assert not hidden_from(second_lead(p))
    assert not hidden_from(p.auditor)
    assert audits_visible_to(p.moderator).get(pk=audit.pk).grades_hidden
    assert audits_visible_to(p.moderator).get(pk=audit.pk).grade_shown is None
    regraded(p, moderation=moderation)
    assert not hidden_from(p.moderator)
    assert audits_visible_to(p.moderator).get(pk=audit.pk).grade_shown is not None
