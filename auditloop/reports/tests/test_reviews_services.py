"""Issuing a cycle review: asked for, queued, built in the background with its progress saved
step by step, then issued and kept byte for byte; a fault leaves it failed, saying nothing of
the data."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import pytest

from auditloop.audits.models import AuditStatus, Grade
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.reports import documents
from auditloop.reports.access.reviews import cycles_reviewable_by
from auditloop.reports.access.scopes import may_issue_reviews
from auditloop.reports.models import CycleReview, ReviewStatus
from auditloop.reports.services.reviews import (
    FAILED_WORDS,
    cycle_review_build,
    cycle_review_request,
)
from auditloop.reports.tasks import cycle_review_build_task
from auditloop.reports.tests.reviews_support import STEPS, FakeDocument, make_cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def document(monkeypatch: pytest.MonkeyPatch) -> FakeDocument:
    fake = FakeDocument()
    monkeypatch.setattr(documents, "cycle_review_bytes", fake)
    return fake


def test_a_lead_asks_for_a_review_which_is_queued_with_one_event(p: Personas) -> None:
    cycle = make_cycle(p.north)
    review = cycle_review_request(staff=p.moderator, cycle=cycle, audience="committee", fmt="pdf")
    assert (review.status, review.progress, review.requested_by) == ("queued", 0, p.moderator)
    event = Event.objects.get(target_id=str(review.public_id))
    assert event.verb == "cycle_review.requested"
    assert event.actor == p.moderator.user


def test_the_build_saves_each_step_as_it_goes_then_issues_the_bytes_with_their_sha256(
    p: Personas, document: FakeDocument
) -> None:
    cycle = make_cycle(p.north)
    review = cycle_review_request(
        staff=p.senior_leader, cycle=cycle, audience="leaders", fmt="docx"
    )
    built = cycle_review_build(review=review)

    assert document.seen == [("building", percent, words) for percent, words in STEPS]
    assert document.calls == [{"cycle": cycle, "audience": "leaders", "fmt": "docx"}]
    stored = CycleReview.objects.get(pk=review.pk)
    content = bytes(stored.content or b"")
    assert content.startswith(b"%DOCX review of April to September 2026 for leaders")
    assert (stored.status, stored.progress, stored.size) == ("issued", 100, len(content))
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.issued_at is not None
    assert built.status == ReviewStatus.ISSUED
    verbs = list(
        Event.objects.filter(target_id=str(review.public_id)).values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["cycle_review.issued", "cycle_review.requested"]


def test_the_background_task_builds_the_queued_review(
    p: Personas, document: FakeDocument, settings: Any
) -> None:
    settings.TASKS = IMMEDIATE
    review = cycle_review_request(
        staff=p.moderator, cycle=make_cycle(p.north), audience="committee", fmt="html"
    )
    result = cycle_review_build_task.enqueue(str(review.public_id))
    assert result.return_value == "issued"
    assert CycleReview.objects.get(pk=review.pk).status == "issued"


def test_a_review_is_never_built_twice(p: Personas, document: FakeDocument) -> None:
    review = cycle_review_request(
        staff=p.moderator, cycle=make_cycle(p.north), audience="committee", fmt="pdf"
    )
    cycle_review_build(review=review)
    with pytest.raises(ValueError, match="cannot be built twice"):
        cycle_review_build(review=review)


def test_a_fault_leaves_the_review_failed_in_words_and_a_log_that_quote_no_data(
    p: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    child = {"id": "LA-12345", "name": "Jayden Smith"}

    def broken(**kwargs: Any) -> bytes:
        kwargs["on_progress"](30, "Counting the audits")
        raise KeyError(f"child {child['id']} {child['name']}")

    monkeypatch.setattr(documents, "cycle_review_bytes", broken)
    review = cycle_review_request(
        staff=p.moderator, cycle=make_cycle(p.north), audience="committee", fmt="pdf"
    )
    caplog.set_level(logging.INFO)
    failed = cycle_review_build(review=review)

    assert (failed.status, failed.failure, failed.content) == ("failed", FAILED_WORDS, None)
    assert "KeyError" in caplog.text
    assert "LA-12345" not in caplog.text
    assert "Jayden" not in caplog.text
    assert "LA-12345" not in failed.failure
    assert Event.objects.filter(verb="cycle_review.failed").count() == 1


def test_an_empty_document_is_a_failure_not_an_issued_review(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(documents, "cycle_review_bytes", lambda **kwargs: b"")
    review = cycle_review_request(
        staff=p.moderator, cycle=make_cycle(p.north), audience="committee", fmt="pdf"
    )
    assert cycle_review_build(review=review).status == "failed"


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "auditor", "board_member"])
def test_only_audit_leads_and_senior_leaders_issue_reviews(p: Personas, who: str) -> None:
    with pytest.raises(Refused, match="oversees every service of this cycle"):
        cycle_review_request(
            staff=getattr(p, who), cycle=make_cycle(p.north), audience="committee", fmt="pdf"
        )
    assert not CycleReview.objects.exists()


def test_a_lead_over_some_of_the_cycles_services_cannot_issue_its_review(p: Personas) -> None:
    with pytest.raises(Refused, match="oversees every service"):
        cycle_review_request(
            staff=p.moderator,
            cycle=make_cycle(p.north, p.south),
            audience="committee",
            fmt="pdf",
        )


def test_a_cycle_not_started_has_no_review(p: Personas) -> None:
    with pytest.raises(Refused, match="not started yet"):
        cycle_review_request(
            staff=p.moderator,
            cycle=make_cycle(p.north, started=False),
            audience="committee",
            fmt="pdf",
        )


@pytest.mark.parametrize(("audience", "fmt"), [("board", "pdf"), ("committee", "odt")])
def test_an_unknown_audience_or_format_is_refused(p: Personas, audience: str, fmt: str) -> None:
    with pytest.raises(Refused):
        cycle_review_request(
            staff=p.moderator, cycle=make_cycle(p.north), audience=audience, fmt=fmt
        )


def test_the_cycles_a_lead_may_review_are_those_may_issue_reviews_allows(p: Personas) -> None:
    cycles = [make_cycle(p.north), make_cycle(p.north, p.south), make_cycle(p.south)]
    p.senior_leader.services.add(p.south)
    for staff in p.all_roles().values():
        allowed = set(cycles_reviewable_by(staff))
        assert allowed == {c for c in cycles if may_issue_reviews(staff, c)}, staff.role


def test_a_later_change_to_an_audit_leaves_the_issued_bytes_unchanged(
    p: Personas, document: FakeDocument
) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    cycle = make_cycle(p.north)
    first = cycle_review_build(
        review=cycle_review_request(staff=p.moderator, cycle=cycle, audience="committee", fmt="pdf")
    )
    kept = bytes(first.content or b"")
    audit.overall_grade = Grade.objects.get(
        scale=p.compliance_tool.grading_scale, code="inadequate"
    )
    audit.save()

    stored = CycleReview.objects.get(pk=first.pk)
    assert bytes(stored.content or b"") == kept
    assert stored.sha256 == hashlib.sha256(kept).hexdigest()
    # A new version reads the audit as it is now, and is kept beside the first.
    second = cycle_review_build(
        review=cycle_review_request(staff=p.moderator, cycle=cycle, audience="committee", fmt="pdf")
    )
    assert bytes(second.content or b"") != kept
    assert CycleReview.objects.filter(cycle=cycle, status="issued").count() == 2
