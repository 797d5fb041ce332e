"""Two audit leads changing the same tool draft from pages drawn before either change: one
wins, the other is told the draft changed and gets the form back as they typed it."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Question, ToolVersion
from auditloop.audits.services.tools import (
    question_move,
    section_rename,
    tool_version_draft_create,
)
from auditloop.core.models import Event
from auditloop.core.versions import RecordChanged
from auditloop.testing import Personas, make_staff
from auditloop.tests.concurrent import shared_database

CHANGED = "Someone else saved this draft while you had it open"


def _draft(p: Personas) -> ToolVersion:
    return tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)


def _second_lead(p: Personas) -> StaffMember:
    return make_staff("lead2", "Robin Lead", Role.MODERATOR, services=[p.north])


def _reword(draft: ToolVersion, text: str, *, version: int) -> tuple[str, dict[str, Any]]:
    url = reverse("audits:tool_question_edit", args=[draft.public_id, "A10"])
    return url, {"version": str(version), "text": text, "applies_to": "CLA"}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _a10(draft: ToolVersion) -> Question:
    return Question.objects.get(section__version=draft, code="A10")


def test_a_question_reworded_on_a_page_drawn_before_another_change_is_refused_as_typed(
    p: Personas,
) -> None:
    draft = _draft(p)
    url, morgan = _reword(draft, "Morgan's wording.", version=0)
    assert p.client_for(p.moderator).post(url, morgan).status_code == 302

    _, robin = _reword(draft, "Robin's wording.", version=0)
    response = p.client_for(_second_lead(p)).post(url, robin)

    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text
    assert CHANGED in text
    assert "Robin's wording." in text
    assert 'name="version" value="1"' in text
    assert _a10(draft).text == "Morgan's wording."


def test_publishing_a_draft_changed_since_the_publish_page_was_drawn_is_refused(
    p: Personas,
) -> None:
    draft = _draft(p)
    publish = reverse("audits:tool_version_publish", args=[draft.public_id])
    page = _text(p.client_for(p.moderator).get(publish))
    assert 'name="version" value="0"' in page
    section_rename(section=draft.sections.get(order=1), title="Renamed", by=p.moderator)

    response = p.client_for(p.moderator).post(
        publish, {"version": "0", "change_note": "Reworded A10."}
    )

    assert response.status_code == 200
    assert CHANGED in _text(response)
    assert "Reworded A10." in _text(response)
    draft.refresh_from_db()
    assert not draft.is_published


def test_every_change_to_a_draft_moves_its_version_on(p: Personas) -> None:
    draft = _draft(p)
    question_move(question=_a10(draft), direction="up", by=p.moderator)
    section_rename(section=draft.sections.get(order=1), title="Renamed", by=p.moderator)
    draft.refresh_from_db()
    assert draft.version == 2
    with pytest.raises(RecordChanged):
        section_rename(
            section=draft.sections.get(order=1), title="Again", by=p.moderator, expected_version=1
        )


def test_two_leads_rewording_the_same_draft_at_the_same_moment_one_wins(
    transactional_db: None, p: Personas, tmp_path: Path
) -> None:
    draft = _draft(p)
    leads = [p.moderator, _second_lead(p)]
    clients = [p.client_for(lead) for lead in leads]
    words = ["Morgan's wording.", "Robin's wording."]
    url, _ = _reword(draft, "", version=0)

    with shared_database(tmp_path) as at_once:
        responses = at_once(
            *(
                lambda client=client, text=text: client.post(
                    url, _reword(draft, text, version=0)[1]
                )
                for client, text in zip(clients, words, strict=True)
            )
        )
        saved = _a10(draft).text
        changes = Event.objects.filter(verb="tool_version.question_reworded").count()
        version = ToolVersion.objects.get(pk=draft.pk).version

    assert sorted(r.status_code for r in responses) == [200, 302]
    winner = 0 if responses[0].status_code == 302 else 1
    loser = 1 - winner
    text = _text(responses[loser])
    assert CHANGED in text
    assert words[loser] in text
    assert (saved, version) == (words[winner], 1)
    assert changes == 1
