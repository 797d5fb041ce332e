"""What every signed-in page costs before its own work: the session, then the login with its
staff record, team and unread notifications' count in one query. What the layout keeps from
one page to the next (the menu, the addresses of its links) changes as soon as it must."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.backends import UNREAD_NOTIFICATIONS, signed_in_login, signed_in_logins
from auditloop.accounts.models import Role, StaffMember, User
from auditloop.core.models import Notification
from auditloop.core.services import notification_send
from auditloop.testing import Personas, make_staff


def _queries(p: Personas, staff: StaffMember, url: str) -> list[str]:
    client = p.client_for(staff)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _unread_shown(html: str) -> int | None:
    found = re.search(r'<strong class="app-header__count">(\d+)<span', html)
    return int(found.group(1)) if found else None


def test_a_signed_in_page_of_no_data_asks_only_the_session_and_the_login(p: Personas) -> None:
    queries = _queries(p, p.practitioner, reverse("accessibility"))
    assert len(queries) == 2, queries
    assert '"django_session"' in queries[0]
    login = queries[1]
    assert '"accounts_staffmember"' in login and '"accounts_team"' in login
    assert '"core_notification"' in login


def test_an_audit_leads_team_comes_with_their_login_not_in_a_query_of_its_own(
    p: Personas,
) -> None:
    # Their team's service is one of those they oversee, asked on most of their pages.
    lead = make_staff("lead2", "Lou Lead", Role.MODERATOR, p.south_a, services=[p.north])
    queries = _queries(p, lead, reverse("audits:list"))
    assert not [q for q in queries if q.lstrip().startswith('SELECT "accounts_team"."id"')]


def test_a_notification_sent_between_two_pages_is_counted_on_the_next(p: Personas) -> None:
    client = p.client_for(p.practitioner)
    assert _unread_shown(client.get(reverse("accessibility")).content.decode()) is None
    notification_send(recipients=[p.practitioner], message="A flag was raised.")
    assert _unread_shown(client.get(reverse("accessibility")).content.decode()) == 1
    notification_send(recipients=[p.practitioner], message="Another flag was raised.")
    assert _unread_shown(client.get(reverse("accessibility")).content.decode()) == 2


def test_the_count_is_the_readers_own_unread_notifications(p: Personas) -> None:
    notification_send(recipients=[p.practitioner, p.moderator], message="A flag was raised.")
    notification_send(recipients=[p.moderator], message="A moderation is due.")
    Notification.objects.filter(recipient=p.moderator.user, message__startswith="A mod").update(
        read_at="2026-01-01T00:00:00Z"
    )
    practitioner = p.client_for(p.practitioner).get(reverse("accessibility")).content.decode()
    moderator = p.client_for(p.moderator).get(reverse("accessibility")).content.decode()
    assert _unread_shown(practitioner) == 1
    assert _unread_shown(moderator) == 1


def test_reading_every_notification_clears_the_count_on_the_next_page(p: Personas) -> None:
    notification_send(recipients=[p.practitioner], message="A flag was raised.")
    client = p.client_for(p.practitioner)
    assert _unread_shown(client.get(reverse("accessibility")).content.decode()) == 1
    client.post(reverse("notifications_read_all"))
    assert _unread_shown(client.get(reverse("accessibility")).content.decode()) is None


def _as_the_orm_loads_it(user_id: int | str, *, active_only: bool = False) -> User | None:
    found = signed_in_logins().filter(pk=user_id)
    if active_only:
        found = found.filter(is_active=True)
    return found.first()


def _fields(instance: Model | None) -> dict[str, object] | None:
    if instance is None:
        return None
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def _described(user: User | None) -> tuple[object, ...] | None:
    """Everything a page reads of the loaded login, read without a query."""
    if user is None:
        return None
    with CaptureQueriesContext(connection) as captured:
        staff = getattr(user, "staff", None)
        described = (
            type(user),
            _fields(user),
            user._state.adding,
            user._state.db,
            _fields(staff),
            None if staff is None else (staff.user is user, _fields(staff.team)),
            getattr(user, UNREAD_NOTIFICATIONS),
        )
    assert captured.captured_queries == []
    return described


@pytest.mark.parametrize("active_only", [False, True])
def test_the_login_is_loaded_as_the_orms_query_would_load_it_for_every_kind_of_login(
    p: Personas, active_only: bool
) -> None:
    no_team = make_staff("roamer", "Rae Roamer", Role.ADMINISTRATOR)
    no_staff = User.objects.create_user(username="service-account", password="x" * 20)
    left = make_staff("leaver", "Lee Leaver", Role.PRACTITIONER, p.north_a)
    assert left.user is not None
    left.user.is_active = False
    left.user.save()
    notification_send(recipients=[p.practitioner, p.practitioner], message="A flag was raised.")
    logins = [staff.user for staff in p.all_roles().values()] + [no_team.user, no_staff, left.user]
    ids: list[int | str] = [login.pk for login in logins if login is not None]
    ids += [str(ids[0]), 10**9]  # as the session holds it; one that is not there
    for user_id in ids:
        expected = _as_the_orm_loads_it(user_id, active_only=active_only)
        assert _described(signed_in_login(user_id, active_only=active_only)) == _described(
            expected
        ), user_id
    assert _described(signed_in_login(p.practitioner.user.pk))[-1] == 1  # type: ignore[index,union-attr]
    assert signed_in_login(left.user.pk, active_only=True) is None
    assert signed_in_login(left.user.pk) is not None


def test_the_login_is_one_query_each_time(p: Personas) -> None:
    assert p.practitioner.user is not None
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            signed_in_login(p.practitioner.user.pk)
        assert len(captured.captured_queries) == 1
