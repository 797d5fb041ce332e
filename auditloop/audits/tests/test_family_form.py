"""The online family form, as the family and as anyone else holding a link: it shows only the
council's name and the questions, takes one set of answers, and answers an expired, used,
withdrawn or guessed link with one plain page; every use is logged and too many from one
address are refused."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.audits.models import (
    Audit,
    AuditStatus,
    AuditType,
    ContactMethod,
    FamilyContact,
    FamilyLink,
    FamilyLinkOutcome,
    FamilyLinkUse,
    Respondent,
)
from auditloop.audits.rules import FAMILY_FORM_TRIES
from auditloop.audits.services.family import family_link_create, family_link_withdraw
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.testing import Personas


def _audit(p: Personas) -> Audit:
    audit = make_audit(p, status=AuditStatus.SUBMITTED, audit_type=AuditType.DEEP_DIVE)
    audit.tool_version = p.quality_tool
    audit.theme = "Neglect in North A"
    audit.save(update_fields=["tool_version", "theme"])
    return audit


def _link(p: Personas, audit: Audit | None = None) -> tuple[FamilyLink, str]:
    link, token = family_link_create(
        audit=audit or _audit(p), respondent=Respondent.CHILD, by=p.moderator
    )
    return link, reverse("family_form:answer", kwargs={"token": token})


def _answers(link: FamilyLink) -> dict[str, str]:
    by_text = {q.text: q.pk for q in link.audit.tool_version.family_questions.all()}
    return {
        f"q{by_text['Did you feel listened to?']}": "yes",
        f"q{by_text['Have things got better since we have been involved?']}": "no",
        f"q{by_text['What would have helped?']}": "Being told what was happening.",
        "own_words": "I want to stay with my nan.",
    }


def test_the_form_shows_the_councils_name_and_the_questions_and_nothing_about_the_case(
    p: Personas, anon: Client
) -> None:
    link, url = _link(p)
    response = anon.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert settings.COUNCIL_NAME in page
    for question in link.audit.tool_version.family_questions.all():
        assert question.text.replace("'", "&#x27;") in page
    audit = link.audit
    for secret in (
        p.case.la_child_id,
        p.practitioner.name,
        p.auditor.name,
        p.moderator.name,
        p.north_a.name,
        audit.reference,
        str(audit.public_id),
        "Deep dive",
        "Neglect",
    ):
        assert secret not in page, secret
    assert not re.search(rf"\b{p.north.name}\b", page)
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_familys_answers_join_the_audit_and_the_link_is_used_up(
    p: Personas, anon: Client
) -> None:
    link, url = _link(p)
    anon.get(url)
    response = anon.post(url, _answers(link))
    assert response.status_code == 200
    assert "We have your answers" in response.content.decode()
    contact = FamilyContact.objects.get(audit=link.audit)
    assert contact.method == ContactMethod.ONLINE_FORM
    assert contact.respondent == Respondent.CHILD
    assert contact.recorded_by is None
    assert contact.own_words == "I want to stay with my nan."
    assert contact.answers.count() == 3
    link.refresh_from_db()
    assert link.used_at is not None and link.contact == contact
    # The audit's readers see the answers on the audit's family page.
    page = p.client_for(p.practitioner).get(reverse("audits:family", args=[link.audit.public_id]))
    assert "I want to stay with my nan." in page.content.decode()
    assert "answered by the family online" in page.content.decode()
    # The same link again: the plain page, and nothing more is taken.
    again = anon.post(url, _answers(link))
    assert again.status_code == 404
    assert FamilyContact.objects.count() == 1
    assert list(
        FamilyLinkUse.objects.filter(link=link)
        .order_by("at", "id")
        .values_list("outcome", flat=True)
    ) == ["shown", "shown", "answered", "used"]


def test_answers_that_cannot_be_taken_leave_the_link_working(p: Personas, anon: Client) -> None:
    link, url = _link(p)
    response = anon.post(url, {"own_words": ""})
    assert response.status_code == 200
    assert "Answer at least one question" in response.content.decode()
    link.refresh_from_db()
    assert link.used_at is None
    assert anon.post(url, _answers(link)).status_code == 200
    assert FamilyContact.objects.count() == 1


def _without_nonce(content: bytes) -> bytes:
    """A page without its script nonce, which is new for every response."""
    return re.sub(rb'nonce="[^"]*"', b"", content)


def _expired(p: Personas) -> str:
    link, url = _link(p)
    FamilyLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return url


def _used(p: Personas) -> str:
    link, url = _link(p)
    Client().post(url, _answers(link))
    return url


def _withdrawn(p: Personas) -> str:
    link, url = _link(p)
    family_link_withdraw(link=link, by=p.moderator)
    return url


def _guessed(p: Personas) -> str:
    _link(p)  # a real link exists, but this is not it
    return reverse("family_form:answer", kwargs={"token": "a" * 43})


@pytest.mark.parametrize("holding", [_expired, _used, _withdrawn, _guessed])
def test_an_anonymous_visitor_with_a_link_that_does_not_work_learns_nothing(
    p: Personas, holding: object, caplog: pytest.LogCaptureFixture
) -> None:
    url = holding(p)  # type: ignore[operator]
    contacts = FamilyContact.objects.count()
    visitor = Client()
    plain = reverse("family_form:answer", kwargs={"token": "not-a-link"})
    expected = _without_nonce(visitor.get(plain).content)
    for method in ("get", "post"):
        response = getattr(visitor, method)(url, {"own_words": "Let me in", "q1": "yes"})
        assert response.status_code == 404
        # The very same page for every kind of link that does not work: it says nothing
        # about whether the link was real, used or out of date.
        assert _without_nonce(response.content) == expected
        page = response.content.decode()
        assert "This link does not work" in page
        assert "Did you feel listened to?" not in page
        assert p.case.la_child_id not in page
    assert FamilyContact.objects.count() == contacts
    # The server log does not get the link either (each use is in the links' own log).
    assert not [r for r in caplog.records if "your-view" in r.getMessage()]
    # The staff pages of the audit behind it send the visitor to sign in.
    for link in FamilyLink.objects.all():
        for name in ("audits:family", "audits:family_link_add", "audits:detail"):
            response = visitor.get(reverse(name, args=[link.audit.public_id]))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login"))


def test_every_use_of_a_link_is_logged_with_why_it_did_not_work(p: Personas) -> None:
    for holding in (_expired, _withdrawn, _guessed):
        Client().get(holding(p))
    outcomes = set(FamilyLinkUse.objects.values_list("outcome", flat=True))
    assert {
        FamilyLinkOutcome.EXPIRED,
        FamilyLinkOutcome.WITHDRAWN,
        FamilyLinkOutcome.UNKNOWN,
    } <= outcomes
    guessed = FamilyLinkUse.objects.get(outcome=FamilyLinkOutcome.UNKNOWN)
    assert guessed.link is None
    # The address is kept only as a keyed hash.
    assert "127.0.0.1" not in guessed.client and len(guessed.client) == 64


def test_too_many_tries_from_one_address_are_refused_even_with_a_good_link(p: Personas) -> None:
    link, url = _link(p)
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(FAMILY_FORM_TRIES):
        guesser.get(reverse("family_form:answer", kwargs={"token": f"guess-{n}"}))
    refused = guesser.post(url, _answers(link))
    assert refused.status_code == 429
    assert "Try again later" in refused.content.decode()
    link.refresh_from_db()
    assert link.used_at is None
    # Another address (the family's) is not held up by the guesser.
    family = Client(REMOTE_ADDR="198.51.100.7")
    assert family.post(url, _answers(link)).status_code == 200
    assert FamilyContact.objects.filter(audit=link.audit).count() == 1
