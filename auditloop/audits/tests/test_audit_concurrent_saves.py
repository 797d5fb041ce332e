"""Two saves of the same audit from pages drawn before either: one wins, the other is told the
audit changed and gets its page back with everything typed (optimistic locking)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from auditloop.audits.models import Audit, Question
from auditloop.audits.services.audits import audit_answers_save
from auditloop.audits.tests.audit_factories import planned_audit
from auditloop.core.models import Event
from auditloop.core.versions import RecordChanged
from auditloop.testing import Personas
from auditloop.tests.concurrent import shared_database

CHANGED = "Someone else saved this audit while you had it open"


def _edit(audit: Audit) -> str:
    return reverse("audits:edit", args=[audit.public_id])


def _typed(audit: Audit, strengths: str, *, version: int) -> dict[str, str]:
    a1 = Question.objects.get(section__version=audit.tool_version, code="A1")
    return {
        "version": str(version),
        "strengths": strengths,
        f"q{a1.pk}_compliance": "no",
        f"q{a1.pk}_evidence": f"Evidence for {strengths}",
        "action": "save",
    }


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_save_from_a_page_drawn_before_another_save_is_refused_keeping_what_was_typed(
    p: Personas,
) -> None:
    audit = planned_audit(p)
    laptop, meeting_room = p.client_for(p.auditor), p.client_for(p.auditor)
    assert laptop.post(_edit(audit), _typed(audit, "From the laptop", version=0)).status_code == 302

    response = meeting_room.post(_edit(audit), _typed(audit, "From the meeting room", version=0))

    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text
    assert CHANGED in text
    assert "From the meeting room" in text
    assert "Evidence for From the meeting room" in text
    assert 'name="version" value="1"' in text
    audit.refresh_from_db()
    assert (audit.strengths, audit.version) == ("From the laptop", 1)
    assert audit.answers.get().evidence == "Evidence for From the laptop"


def test_saving_again_from_the_page_given_back_replaces_the_other_save(p: Personas) -> None:
    audit = planned_audit(p)
    client = p.client_for(p.auditor)
    client.post(_edit(audit), _typed(audit, "First", version=0))
    refused = client.post(_edit(audit), _typed(audit, "Second", version=0))
    assert CHANGED in _text(refused)

    again = client.post(_edit(audit), _typed(audit, "Second", version=1))

    assert again.status_code == 302
    audit.refresh_from_db()
    assert (audit.strengths, audit.version) == ("Second", 2)


def test_a_save_from_the_current_page_moves_the_version_on(p: Personas) -> None:
    audit = planned_audit(p)
    page = _text(p.client_for(p.auditor).get(_edit(audit)))
    assert 'name="version" value="0"' in page
    p.client_for(p.auditor).post(_edit(audit), _typed(audit, "Saved", version=0))
    assert 'name="version" value="1"' in _text(p.client_for(p.auditor).get(_edit(audit)))


def test_the_service_writes_nothing_when_the_version_is_stale(p: Personas) -> None:
    audit = planned_audit(p)
    audit_answers_save(audit=audit, by=p.auditor, answers={}, strengths="Kept", expected_version=0)
    stale = Audit.objects.get(pk=audit.pk)
    stale.version = 0

    with pytest.raises(RecordChanged) as refused:
        audit_answers_save(
            audit=stale, by=p.auditor, answers={}, strengths="Lost", expected_version=0
        )

    assert refused.value.current == 1
    audit.refresh_from_db()
    assert audit.strengths == "Kept"
    assert Event.objects.filter(verb="audit.answers_saved").count() == 1


def test_two_saves_at_the_same_moment_one_wins_and_the_other_keeps_its_typing(
    transactional_db: None, p: Personas, tmp_path: Path
) -> None:
    audit = planned_audit(p)
    clients = [p.client_for(p.auditor), p.client_for(p.auditor)]
    typed = [_typed(audit, f"Typed on device {n}", version=0) for n in (1, 2)]

    with shared_database(tmp_path) as at_once:
        responses = at_once(
            *(
                lambda client=client, data=data: client.post(_edit(audit), data)
                for client, data in zip(clients, typed, strict=True)
            )
        )
        saved = Audit.objects.get(pk=audit.pk)
        events = Event.objects.filter(verb="audit.answers_saved")
        answers = list(saved.answers.values_list("evidence", flat=True))
        saves = events.count()

    assert sorted(r.status_code for r in responses) == [200, 302]
    winner = 0 if responses[0].status_code == 302 else 1
    loser = 1 - winner
    text = _text(responses[loser])
    assert CHANGED in text
    assert f"Typed on device {loser + 1}" in text
    assert (saved.strengths, saved.version) == (f"Typed on device {winner + 1}", 1)
    assert answers == [f"Evidence for Typed on device {winner + 1}"]
    assert saves == 1
