from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.core.models import Event, Notification
from auditloop.core.services import notification_mark_read, notifications_mark_all_read
from auditloop.core.testing import Personas


def _note(
    p: Personas, message: str, *, read: bool = False, who: str = "practitioner"
) -> Notification:
    user = getattr(p, who).user
    return Notification.objects.create(
        recipient=user, message=message, read_at=timezone.now() if read else None
    )


def test_notifications_show_unread_first(p: Personas) -> None:
    _note(p, "Old unread")
    _note(p, "Already read", read=True)
    _note(p, "New unread")
    response = p.client_for(p.practitioner).get(reverse("notifications"))
    assert response.status_code == 200
    assert [n.message for n in response.context["items"]] == [
        "New unread",
        "Old unread",
        "Already read",
    ]


def test_notifications_show_only_my_own(p: Personas) -> None:
    _note(p, "For the practitioner")
    _note(p, "For the auditor", who="auditor")
    response = p.client_for(p.practitioner).get(reverse("notifications"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "For the practitioner" in page
    assert "For the auditor" not in page


def test_marking_one_notification_as_read(p: Personas) -> None:
    note = _note(p, "Feedback is ready")
    response = p.client_for(p.practitioner).post(
        reverse("notification_read", args=[note.public_id])
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    assert Event.objects.filter(verb="notification.read").count() == 1


def test_marking_all_as_read(p: Personas) -> None:
    for n in range(3):
        _note(p, f"Note {n}")
    other = _note(p, "Someone else's", who="auditor")
    response = p.client_for(p.practitioner).post(reverse("notifications_read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(
        recipient=p.practitioner.user, read_at__isnull=True
    ).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_marking_read_twice_changes_nothing(p: Personas) -> None:
    note = _note(p, "Once")
    notification_mark_read(notification=note, by=p.practitioner.user)
    first = note.read_at
    notification_mark_read(notification=note, by=p.practitioner.user)
    assert note.read_at == first
    assert notifications_mark_all_read(by=p.practitioner.user) == 0
    assert Event.objects.filter(verb__startswith="notification.").count() == 1


def test_nobody_marks_someone_elses_notification(p: Personas) -> None:
    note = _note(p, "Private")
    response = p.client_for(p.auditor).post(reverse("notification_read", args=[note.public_id]))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied, match="recipient"):
        notification_mark_read(notification=note, by=p.auditor.user)
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_needs_a_post(p: Personas) -> None:
    note = _note(p, "Get me")
    response = p.client_for(p.practitioner).get(reverse("notification_read", args=[note.public_id]))
    assert response.status_code == 405


def test_notification_pages_send_anonymous_visitors_to_sign_in(p: Personas, anon: Client) -> None:
    note = _note(p, "x")
    for url in (reverse("notifications"), reverse("notification_read", args=[note.public_id])):
        response = anon.post(url) if "read" in url else anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_notifications_query_count_does_not_grow_with_rows(
    p: Personas,
    django_assert_max_num_queries: Any,
) -> None:
    client = p.client_for(p.practitioner)
    _note(p, "first")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("notifications"))
    for n in range(20):
        _note(p, f"n{n}", read=bool(n % 2))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications"))
