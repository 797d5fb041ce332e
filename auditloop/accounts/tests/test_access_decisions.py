"""The access decorators themselves, on views decorated here: who is let through, who is
refused, who is sent to sign in, and the decision each records for the URL walk."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.test import RequestFactory
from django.urls import reverse

from auditloop.accounts.access import (
    any_staff,
    auditing_roles_required,
    roles_required,
    signed_in_user,
    staff_for,
)
from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember, User
from auditloop.core.access import mark_decision, public
from auditloop.testing import Personas


def _page(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    """The page behind the guard: it answers with what it was given, so a guard that drops
    or changes the arguments shows."""
    return HttpResponse(f"the page {args} {sorted(kwargs.items())}")


def _request_as(user: User | AnonymousUser, path: str = "/somewhere/?page=2") -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = user
    return request


def _content(response: HttpResponseBase) -> bytes:
    assert isinstance(response, HttpResponse)
    return response.content


def _user(staff: StaffMember) -> User:
    assert staff.user is not None
    return staff.user


def test_a_role_check_admits_exactly_the_roles_it_names(p: Personas) -> None:
    view = roles_required(Role.MODERATOR, Role.ADMINISTRATOR)(_page)
    for who, staff in p.all_roles().items():
        request = _request_as(_user(staff))
        if staff.role in {Role.MODERATOR, Role.ADMINISTRATOR}:
            response = view(request, 7, code="x")
            assert response.status_code == 200, who
            assert _content(response) == b"the page (7,) [('code', 'x')]", who
        else:
            with pytest.raises(PermissionDenied) as refused:
                view(request, 7, code="x")
            assert str(refused.value) == "Your role does not give you access to this page."


def test_a_role_check_of_one_role_admits_only_that_role(p: Personas) -> None:
    view = roles_required(Role.BOARD_MEMBER)(_page)
    assert view(_request_as(_user(p.board_member))).status_code == 200
    with pytest.raises(PermissionDenied):
        view(_request_as(_user(p.moderator)))


def test_the_auditing_roles_are_admitted_and_no_others(p: Personas) -> None:
    view = auditing_roles_required(_page)
    admitted = set()
    for staff in p.all_roles().values():
        try:
            view(_request_as(_user(staff)))
        except PermissionDenied:
            continue
        admitted.add(staff.role)
    assert admitted == AUDITING_ROLES


def test_any_member_of_staff_is_admitted(p: Personas) -> None:
    view = any_staff(_page)
    for who, staff in p.all_roles().items():
        assert _content(view(_request_as(_user(staff)), 3)) == b"the page (3,) []", who


@pytest.mark.parametrize(
    "decorate",
    [roles_required(Role.MODERATOR), auditing_roles_required, any_staff],
    ids=["roles_required", "auditing_roles_required", "any_staff"],
)
def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(decorate: object) -> None:
    view = decorate(_page)  # type: ignore[operator]
    response = view(_request_as(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/somewhere/%3Fpage%3D2"


@pytest.mark.django_db
def test_a_login_without_a_member_of_staff_is_refused() -> None:
    user = User.objects.create_user(username="nobody", password="x" * 20)
    with pytest.raises(PermissionDenied) as refused:
        any_staff(_page)(_request_as(user))
    assert str(refused.value) == "This login is not linked to an active member of staff."


def test_a_login_whose_member_of_staff_has_left_is_refused(p: Personas) -> None:
    p.moderator.is_active = False
    p.moderator.save()
    user = User.objects.get(pk=_user(p.moderator).pk)
    for view in (any_staff(_page), roles_required(Role.MODERATOR)(_page)):
        with pytest.raises(PermissionDenied) as refused:
            view(_request_as(user))
        assert str(refused.value) == "This login is not linked to an active member of staff."


def test_staff_for_gives_the_active_member_of_staff_and_refuses_anyone_else(p: Personas) -> None:
    assert staff_for(_user(p.auditor)) == p.auditor
    with pytest.raises(PermissionDenied):
        staff_for(AnonymousUser())


def test_signed_in_user_gives_the_user_and_refuses_a_signed_out_visitor(p: Personas) -> None:
    user = _user(p.auditor)
    assert signed_in_user(_request_as(user)) is user
    with pytest.raises(PermissionDenied) as refused:
        signed_in_user(_request_as(AnonymousUser()))
    assert str(refused.value) == "Sign in first."


def test_each_guard_records_the_decision_the_url_walk_reads() -> None:
    assert roles_required(Role.MODERATOR, Role.ADMINISTRATOR)(_page).access_decision == (  # type: ignore[attr-defined]
        "roles: administrator, moderator"
    )
    assert auditing_roles_required(_page).access_decision == "roles: auditing"  # type: ignore[attr-defined]
    assert any_staff(_page).access_decision == "any staff; object helper decides"  # type: ignore[attr-defined]
    assert public(_page).access_decision == "public"  # type: ignore[attr-defined]
    assert mark_decision(_page, "api: token").access_decision == "api: token"  # type: ignore[attr-defined]


def test_a_guarded_view_keeps_its_name_for_the_url_walk_and_tracebacks() -> None:
    assert roles_required(Role.MODERATOR)(_page).__name__ == "_page"
    assert any_staff(_page).__doc__ == _page.__doc__
