"""The staff decorators find the signed-in member of staff once, at the edge, and put them on
the request; a login that is not an active member of staff gets no further."""

from __future__ import annotations

from typing import cast

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    auditing_roles_required,
    roles_required,
    staff_for,
)
from auditloop.accounts.models import Role, StaffMember, User
from auditloop.testing import Personas

seen: list[StaffMember] = []


def _view(request: StaffRequest) -> HttpResponse:
    seen.append(request.staff)
    return HttpResponse("ok")


def _request(user: object) -> StaffRequest:
    """A request as the URL resolver hands it to the decorated view: no `staff` on it yet."""
    request = RequestFactory().get("/somewhere/?x=1")
    request.user = user  # type: ignore[assignment]
    return cast(StaffRequest, request)


@pytest.fixture(autouse=True)
def _clear_seen() -> None:
    seen.clear()


def test_any_staff_puts_the_signed_in_member_of_staff_on_the_request(p: Personas) -> None:
    response = any_staff(_view)(_request(p.auditor.user))
    assert response.status_code == 200
    assert seen == [p.auditor]
    assert isinstance(seen[0], StaffMember)


def test_a_role_decorator_puts_staff_on_the_request_only_for_its_roles(p: Personas) -> None:
    view = roles_required(Role.MODERATOR)(_view)
    assert view(_request(p.moderator.user)).status_code == 200
    with pytest.raises(PermissionDenied, match="role does not give you access"):
        view(_request(p.practitioner.user))
    assert seen == [p.moderator]


def test_the_auditing_roles_decorator_refuses_a_board_member(p: Personas) -> None:
    view = auditing_roles_required(_view)
    assert view(_request(p.team_manager.user)).status_code == 200
    with pytest.raises(PermissionDenied):
        view(_request(p.board_member.user))
    assert seen == [p.team_manager]


def test_a_login_without_a_staff_record_is_refused(p: Personas) -> None:
    login = User.objects.create_user(username="nobody", password="x")
    with pytest.raises(PermissionDenied, match="not linked to an active member of staff"):
        any_staff(_view)(_request(login))
    assert seen == []


def test_a_member_of_staff_who_has_left_is_refused(p: Personas) -> None:
    StaffMember.objects.filter(pk=p.auditor.pk).update(is_active=False)
    assert p.auditor.user is not None
    user = User.objects.select_related("staff").get(pk=p.auditor.user.pk)
    with pytest.raises(PermissionDenied):
        any_staff(_view)(_request(user))
    with pytest.raises(PermissionDenied):
        staff_for(user)
    assert seen == []


def test_a_signed_out_visitor_is_sent_to_sign_in_and_the_view_never_runs() -> None:
    response = any_staff(_view)(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert seen == []
