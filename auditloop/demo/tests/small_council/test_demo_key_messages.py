"""The demo council's key messages: compiled by the product's services from the learning points
the demo council has, published to every
service and to the demo team, one in review and one draft."""

from __future__ import annotations

import pytest

from auditloop.accounts.models import StaffMember, User
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageRecipient,
    KeyMessageStatus,
)

pytestmark = pytest.mark.django_db


def _lead() -> StaffMember:
    return StaffMember.objects.get(user__username="moderator")


def test_the_demo_lead_has_a_message_in_each_state(small: None) -> None:
    messages = list(KeyMessage.objects.filter(author=_lead()))
    statuses = sorted(m.status for m in messages)
    assert statuses == sorted(
        [
            KeyMessageStatus.PUBLISHED,
            KeyMessageStatus.PUBLISHED,
            KeyMessageStatus.IN_REVIEW,
            KeyMessageStatus.DRAFT,
        ]
    )
    for message in messages:
        assert message.reviewer_id != _lead().pk


def test_one_message_goes_to_every_service_and_one_to_the_demo_team(small: None) -> None:
    published = KeyMessage.objects.filter(status=KeyMessageStatus.PUBLISHED)
    council_wide = published.get(service=None, team=None)
    practitioner = StaffMember.objects.get(user__username="practitioner")
    team_message = published.get(team=practitioner.team)
    assert council_wide.reviewer is not None and team_message.reviewer is not None
    assert KeyMessageRecipient.objects.filter(key_message=team_message, staff=practitioner)
    assert council_wide.recipients.count() > team_message.recipients.count() > 1


def test_most_recipients_have_acknowledged_and_a_few_have_not(small: None) -> None:
    rows = KeyMessageRecipient.objects.filter(key_message__status=KeyMessageStatus.PUBLISHED)
    read = rows.filter(acknowledged_at__isnull=False).count()
    assert 0.6 * rows.count() <= read < rows.count()


def test_the_examples_come_from_the_learning_points_with_no_name_left(small: None) -> None:
    message = KeyMessage.objects.get(status=KeyMessageStatus.PUBLISHED, service=None, team=None)
    assert message.source_points.exists()
    names = set(StaffMember.objects.values_list("name", flat=True))
    texts = [e["text"] for e in message.published_text["examples"]]
    assert texts
    for text in texts:
        assert not any(name in text for name in names), text


def test_the_message_in_review_shows_a_redaction_the_reviewer_added(small: None) -> None:
    message = KeyMessage.objects.get(status=KeyMessageStatus.IN_REVIEW)
    assert message.redaction_added == [{"text": "Larkfield Primary", "label": "identifier:school"}]
    assert message.reviewer is not None
    assert User.objects.filter(staff=message.reviewer).exists()
