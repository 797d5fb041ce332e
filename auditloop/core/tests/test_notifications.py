from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.core.models import Event, Notification
from auditloop.core.services import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_mark_read_by_url,
)
from auditloop.testing import Personas


def user_of(staff: Any) -> Any:
    assert staff.user is not None
    return staff.user


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


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(p: Personas) -> None:
    note = Notification.objects.create(
        recipient=user_of(p.practitioner),
        message="Feedback is ready",
        url=reverse("audits:actions"),
    )
    client = p.client_for(p.practitioner)
    listing = client.get(reverse("notifications")).content.decode()
    opener = reverse("notification_open", args=[note.public_id])
    assert f'href="{opener}"' in listing
    response = client.get(opener)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:actions")
    note.refresh_from_db()
    assert note.read_at is not None
    assert Event.objects.filter(verb="notification.read", target_id=str(note.public_id)).exists()


def test_opening_someone_elses_notification_is_not_found(p: Personas) -> None:
    note = _note(p, "Private")
    response = p.client_for(p.auditor).get(reverse("notification_open", args=[note.public_id]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize("url", ["", "https://elsewhere.example/", "//elsewhere.example/x"])
def test_a_notification_never_opens_a_page_off_this_site(p: Personas, url: str) -> None:
    note = Notification.objects.create(recipient=user_of(p.practitioner), message="x", url=url)
    response = p.client_for(p.practitioner).get(reverse("notification_open", args=[note.public_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")


def test_notifications_about_one_page_are_marked_read_for_everyone(p: Personas) -> None:
    for who in ("practitioner", "auditor"):
        Notification.objects.create(recipient=user_of(getattr(p, who)), message="x", url="/a/")
    elsewhere = Notification.objects.create(recipient=user_of(p.auditor), message="y", url="/b/")
    assert notifications_mark_read_by_url(url="/a/") == 2
    assert not Notification.objects.filter(url="/a/", read_at__isnull=True).exists()
    elsewhere.refresh_from_db()
    assert elsewhere.read_at is None
    assert notifications_mark_read_by_url(url="") == 0


@pytest.mark.django_db
def test_a_login_without_a_staff_record_reads_its_own_notifications(anon: Client) -> None:
    """Notifications belong to the login: the page needs a signed-in login, not a member of
    staff (a leaver's login is switched off, so it cannot sign in to read them)."""
    login = get_user_model().objects.create_user(username="no-staff", password="x")
    Notification.objects.create(recipient=login, message="Yours")
    anon.force_login(login)
    response = anon.get(reverse("notifications"))
    assert response.status_code == 200
    assert [n.message for n in response.context["items"]] == ["Yours"]
