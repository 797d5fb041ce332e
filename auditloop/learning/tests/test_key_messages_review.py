from __future__ import annotations

import datetime
import json
from typing import Any

import pytest

from auditloop.accounts.models import Role, StaffMember
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.learning.models import KeyMessage, KeyMessageRecipient, KeyMessageStatus
from auditloop.learning.redaction import Redaction, redactor_for_database
from auditloop.learning.selectors.key_message_texts import (
    parts_redacted,
    text_digest,
    text_to_publish,
)
from auditloop.learning.services.key_messages import (
    CHANGED_SINCE_READ,
    ExampleEdit,
    key_message_acknowledge,
    key_message_publish,
    key_message_redaction_add,
    key_message_redaction_keep,
    key_message_redaction_restore,
    key_message_send_back,
    key_message_submit,
    key_message_update,
    key_message_withdraw,
)
from auditloop.learning.tests.key_message_factories import (
    draft_for,
    in_review,
    make_cycle,
    parts_written,
    second_lead,
)
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def seen(message: KeyMessage) -> str:
    """The digest of the text the reviewer's page shows now."""
    return text_digest(text_to_publish(parts_redacted(message, redactor_for_database())))


def publish(message: KeyMessage, by: StaffMember) -> KeyMessage:
    return key_message_publish(key_message=message, by=by, seen=seen(message))


def _events(message: KeyMessage, verb: str) -> list[Event]:
    return list(Event.objects.filter(verb=verb, target_id=str(message.public_id)))


def _edit(message: KeyMessage, by: StaffMember, **parts: Any) -> KeyMessage:
    return key_message_update(
        key_message=message,
        by=by,
        title=parts.pop("title", message.title),
        parts={
            key: parts.get(key, getattr(message, key))
            for key in (
                "what_we_found",
                "why_it_matters",
                "what_good_looks_like",
                "what_to_do_next",
            )
        },
        examples=parts.pop("examples", [ExampleEdit(e["text"]) for e in message.examples]),
    )


# Editing


def test_the_author_edits_the_draft_and_the_event_names_the_fields_changed(p: Personas) -> None:
    message = draft_for(p)
    _edit(message, p.moderator, title="Seeing children alone", why_it_matters="Children said so.")
    message.refresh_from_db()
    assert message.title == "Seeing children alone"
    event = _events(message, "key_message.edited")[0]
    assert event.content_changed == ["title", "why_it_matters"]
    assert "Children said so." not in json.dumps(event.after) + event.summary


def test_the_author_removes_an_example_and_edits_another(p: Personas) -> None:
    message = draft_for(p)
    message.examples = [
        {"kind": "good_practice", "domain": "A", "text": "One."},
        {"kind": "concern", "domain": "B", "text": "Two."},
    ]
    message.save()
    _edit(message, p.moderator, examples=[ExampleEdit("One, shorter."), ExampleEdit("", True)])
    message.refresh_from_db()
    assert message.examples == [{"kind": "good_practice", "domain": "A", "text": "One, shorter."}]


def test_nobody_but_the_author_edits_a_draft(p: Personas) -> None:
    message = draft_for(p)
    with pytest.raises(Refused, match="author"):
        _edit(message, second_lead(p), title="Mine now")


# Review: never the author


def test_the_author_never_reviews_their_own_key_message(p: Personas) -> None:
    message = in_review(p)
    with pytest.raises(Refused, match="You wrote this key message"):
        publish(message, p.moderator)
    with pytest.raises(Refused, match="You wrote this key message"):
        key_message_redaction_add(key_message=message, by=p.moderator, text="x y", label="person")
    with pytest.raises(Refused, match="You wrote this key message"):
        key_message_send_back(key_message=message, by=p.moderator, reason="Mine")


def test_only_a_lead_or_senior_leader_over_the_scope_reviews(p: Personas) -> None:
    message = in_review(p)
    for outsider in (p.team_manager, p.auditor, p.board_member):
        with pytest.raises(Refused, match="Only an audit lead or senior leader"):
            publish(message, outsider)
    south_lead = make_staff("southlead", "Sol South", Role.MODERATOR, services=[p.south])
    with pytest.raises(Refused, match="Only an audit lead or senior leader"):
        publish(message, south_lead)
    # The senior leader over North may.
    assert publish(message, p.senior_leader).status == KeyMessageStatus.PUBLISHED


def test_a_draft_cannot_be_published_before_it_is_sent_for_review(p: Personas) -> None:
    message = draft_for(p)
    with pytest.raises(Refused, match="in review"):
        publish(message, second_lead(p))


def test_sending_back_returns_it_to_its_author_with_the_reason(p: Personas) -> None:
    message = in_review(p)
    reviewer = second_lead(p)
    key_message_send_back(key_message=message, by=reviewer, reason="Say more about fathers.")
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.DRAFT
    assert message.return_reason == "Say more about fathers."
    assert Notification.objects.filter(recipient=p.moderator.user, url__contains="key-messages")
    assert _events(message, "key_message.sent_back")[0].content_changed == ["return_reason"]
    # The author can change it and send it again.
    _edit(message, p.moderator, why_it_matters="Fathers matter.")
    key_message_submit(key_message=parts_written(message), by=p.moderator)


# Redactions


def test_a_reviewers_added_redaction_applies_wherever_the_words_appear(p: Personas) -> None:
    message = in_review(p)
    _set_text(message, "Mia lives near Ashdown Park. Ashdown Park is close to school.")
    reviewer = second_lead(p)
    key_message_redaction_add(
        key_message=message, by=reviewer, text="Ashdown Park", label="identifier:address"
    )
    message.refresh_from_db()
    published = publish(message, reviewer).published_text
    assert published["why_it_matters"].count("[address]") == 2
    assert "Ashdown" not in published["why_it_matters"]
    assert _events(message, "key_message.redaction_added")[0].content_changed == ["redaction_added"]


def test_a_reviewer_undoes_a_redaction_and_can_redact_it_again(p: Personas) -> None:
    message = in_review(p)
    _set_text(message, "The plan was reviewed at N1 1AA clinic.")
    reviewer = second_lead(p)
    key_message_redaction_keep(
        key_message=message, by=reviewer, text="N1 1AA", label="identifier:postcode"
    )
    message.refresh_from_db()
    parts = {part.key: part for part in parts_redacted(message, redactor_for_database())}
    assert "N1 1AA" in parts["why_it_matters"].redaction.redacted
    key_message_redaction_restore(key_message=message, by=reviewer, text="N1 1AA")
    message.refresh_from_db()
    assert "N1 1AA" not in publish(message, reviewer).published_text["why_it_matters"]


def test_a_known_staff_name_can_never_be_kept(p: Personas) -> None:
    message = in_review(p)
    _set_text(message, "Mary Manager supervised the visit.")
    reviewer = second_lead(p)
    for text in ("Mary Manager", "mary"):
        with pytest.raises(Refused, match="always redacted and cannot be kept"):
            key_message_redaction_keep(key_message=message, by=reviewer, text=text, label="staff")
    message.refresh_from_db()
    assert message.redaction_kept == []


def test_a_staff_name_kept_by_other_means_is_still_redacted_when_published(p: Personas) -> None:
    message = in_review(p)
    _set_text(message, "Mary Manager supervised the visit.")
    KeyMessage.objects.filter(pk=message.pk).update(
        redaction_kept=[{"text": "Mary Manager", "label": "staff"}]
    )
    message.refresh_from_db()
    published = publish(message, second_lead(p)).published_text
    assert "Mary" not in published["why_it_matters"]


def test_publishing_is_refused_when_a_staff_name_is_learnt_after_the_review_was_read(
    p: Personas,
) -> None:
    message = in_review(p)
    _set_text(message, "Jo Newstarter visited the child weekly.")
    reviewer = second_lead(p)
    read = seen(message)  # the reviewer's page: "Jo Newstarter" is not known yet
    make_staff("newstarter", "Jo Newstarter", Role.PRACTITIONER, p.north_a)
    with pytest.raises(Refused) as refused:
        key_message_publish(key_message=message, by=reviewer, seen=read)
    assert refused.value.message == CHANGED_SINCE_READ
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.IN_REVIEW
    assert message.published_text == {}
    # Read again, it shows the name redacted, and publishes so.
    published = publish(message, reviewer).published_text
    assert "Newstarter" not in published["why_it_matters"]


def test_publishing_is_refused_while_a_final_text_holds_a_known_staff_name(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last check runs `known_staff_spans` on every final text, the title and examples
    included: a redactor that let a name through (here, one that redacts nothing) cannot
    publish it."""
    message = in_review(p)
    message.examples = [{"kind": "concern", "domain": "", "text": "Pat Practitioner was late."}]
    message.save()

    class Leaky:
        def redact(self, text: str, **kwargs: Any) -> Redaction:
            return Redaction(text=text, redacted=text, spans=())

    monkeypatch.setattr(
        "auditloop.learning.services.key_messages.parts_redacted",
        lambda m, r: parts_redacted(m, Leaky()),  # type: ignore[arg-type]
    )
    with pytest.raises(Refused, match="still contains the name of a member of staff"):
        key_message_publish(key_message=message, by=second_lead(p), seen="anything")


# Publishing and delivering


def test_publishing_writes_the_redacted_text_and_delivers_it_to_the_teams_concerned(
    p: Personas, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    left = make_staff("left", "Lou Left", Role.PRACTITIONER, p.north_a)
    left.is_active = False
    left.save()
    make_staff("northb", "Nell B", Role.PRACTITIONER, p.north_b)
    message = in_review(p)
    message.title = "Pat Practitioner's team"
    message.save()
    reviewer = second_lead(p)
    with django_capture_on_commit_callbacks(execute=True):
        published = publish(message, reviewer)

    assert published.status == KeyMessageStatus.PUBLISHED
    assert published.reviewer == reviewer and published.published_at is not None
    assert published.published_text["title"] == "[social worker]'s team"
    assert set(published.published_text) >= {"what_we_found", "examples", "what_to_do_next"}
    recipients = set(
        KeyMessageRecipient.objects.filter(key_message=message).values_list("staff", flat=True)
    )
    # North A's practitioner and team manager; not the one who left, not North B, not the lead.
    assert recipients == {p.practitioner.pk, p.team_manager.pk}
    assert (
        Notification.objects.filter(
            recipient__in=[p.practitioner.user, p.team_manager.user], url__contains="key-messages"
        ).count()
        == 2
    )
    # One email each: nobody sees another recipient's address.
    assert all(len(email.to) == 1 and not email.bcc for email in mailoutbox)
    email = mailoutbox[0]
    assert sorted(e.to[0] for e in mailoutbox) == sorted(
        [str(p.practitioner.email), str(p.team_manager.email)]
    )
    assert "key message" in email.subject.lower()
    assert str(message.public_id) in email.body
    for leaked in ("Pat", "Mary", "00123", "North A"):
        assert leaked not in email.body + email.subject
    assert len(_events(message, "key_message.published")) == 1


def test_a_message_to_a_service_reaches_every_team_of_it(p: Personas) -> None:
    make_staff("northb", "Nell B", Role.PRACTITIONER, p.north_b)
    message = in_review(p, service=p.north)
    publish(message, second_lead(p))
    assert KeyMessageRecipient.objects.filter(key_message=message).count() == 3


def test_a_message_to_every_service_reaches_every_team_of_the_cycles_services(
    p: Personas,
) -> None:
    p.moderator.services.add(p.south)
    reviewer = second_lead(p)
    reviewer.services.add(p.south)
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north, p.south])
    message = in_review(p, cycle=cycle, team=None)
    publish(message, reviewer)
    staff = set(
        KeyMessageRecipient.objects.filter(key_message=message).values_list("staff", flat=True)
    )
    assert staff == {p.practitioner.pk, p.team_manager.pk, p.outsider.pk, p.outsider_manager.pk}


# Acknowledging and withdrawing


def test_acknowledging_is_recorded_once_however_often_it_is_pressed(p: Personas) -> None:
    message = publish(in_review(p), second_lead(p))
    first = key_message_acknowledge(key_message=message, by=p.practitioner)
    again = key_message_acknowledge(key_message=message, by=p.practitioner)
    assert first.acknowledged_at is not None
    assert again.acknowledged_at == first.acknowledged_at
    assert len(_events(message, "key_message.acknowledged")) == 1


def test_only_a_recipient_acknowledges_a_published_message(p: Personas) -> None:
    message = in_review(p)
    with pytest.raises(Refused, match="Only a published"):
        key_message_acknowledge(key_message=message, by=p.practitioner)
    message = publish(message, second_lead(p))
    with pytest.raises(Refused, match="not sent to you"):
        key_message_acknowledge(key_message=message, by=p.auditor)


def test_a_lead_withdraws_a_published_message_with_a_reason(p: Personas) -> None:
    message = publish(in_review(p), second_lead(p))
    with pytest.raises(Refused, match="Only an audit lead"):
        key_message_withdraw(key_message=message, by=p.senior_leader, reason="No")
    key_message_withdraw(key_message=message, by=p.moderator, reason="Figures were wrong.")
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.WITHDRAWN
    assert message.withdrawn_reason == "Figures were wrong."
    with pytest.raises(Refused, match="Only a published"):
        key_message_acknowledge(key_message=message, by=p.practitioner)


def _set_text(message: KeyMessage, text: str) -> None:
    message.why_it_matters = text
    message.save()


def test_a_placeholders_words_are_never_taken_for_a_staff_name_left(p: Personas) -> None:
    """Mary Manager's surname is a word of the placeholder "[team manager]": the redacted
    text holds the placeholder, not her name, and publishes."""
    message = in_review(p)
    _set_text(message, "Mary Manager and the manager met.")
    published = publish(message, second_lead(p)).published_text
    assert published["why_it_matters"] == "[team manager] and the [team manager] met."


def test_a_draft_still_holding_a_starter_prompt_is_not_sent_for_review(p: Personas) -> None:
    message = draft_for(p)
    with pytest.raises(Refused, match="Replace the prompts with your own words"):
        key_message_submit(key_message=message, by=p.moderator)
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.DRAFT


def test_a_draft_nobody_else_may_review_is_not_sent_for_review(p: Personas) -> None:
    message = parts_written(draft_for(p))
    StaffMember.objects.filter(role__in=[Role.MODERATOR, Role.SENIOR_LEADER]).exclude(
        pk=p.moderator.pk
    ).update(is_active=False)
    with pytest.raises(Refused, match="Nobody else can review this key message"):
        key_message_submit(key_message=message, by=p.moderator)
