"""Every notification the demo council seeds opens for its recipient: no demo login is led to a
page that answers "not found"."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import User
from auditloop.audits.models import Escalation
from auditloop.cases.models import ChildCase
from auditloop.core.models import Notification
from auditloop.demo.council import DEMO_LOGINS

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("username", [username for username, _ in DEMO_LOGINS])
def test_every_notification_of_every_demo_login_opens(small: None, username: str) -> None:
    client = _client(username)
    notes = list(Notification.objects.filter(recipient__username=username))
    for note in notes:
        opened = client.get(reverse("notification_open", args=[note.public_id]))
        assert opened.status_code == 302, note.message
        assert opened["Location"] == (note.url or reverse("notifications"))
        assert client.get(opened["Location"]).status_code == 200, (note.message, note.url)
        note.refresh_from_db()
        assert note.read_at is not None


def test_the_demo_flag_notices_reach_those_who_must_act(small: None) -> None:
    for username in ("manager", "leader", "moderator"):
        urgent = Notification.objects.filter(recipient__username=username, is_urgent=True)
        assert urgent.exists(), username


def test_a_demo_flag_notice_opens_the_flag_which_names_the_child(small: None) -> None:
    note = Notification.objects.filter(recipient__username="manager", is_urgent=True).first()
    assert note is not None
    flag = Escalation.objects.select_related("audit__case").get(
        public_id=note.url.rstrip("/").rsplit("/", 1)[-1]
    )
    page = _client("manager").get(note.url).content.decode()
    assert flag.audit.case.la_child_id in page
    ids = set(ChildCase.objects.values_list("la_child_id", flat=True))
    assert not any(word in ids for word in note.message.split())
