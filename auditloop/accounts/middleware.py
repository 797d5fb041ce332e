"""Someone signed in with a one-time password chooses their own before anything else; someone
who must pass a second factor passes it (or sets one up) before anything else; someone whose
access has ended is signed out; a session's record notes when it was last seen."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from auditloop.accounts.models import StaffMember
from auditloop.accounts.rules.sessions import has_left
from auditloop.accounts.second_factor import Need, second_factor_need
from auditloop.accounts.services.sessions import signed_in_session_seen
from auditloop.accounts.signin_state import BY_SSO, SIGNED_IN_BY
from auditloop.core.addresses import fixed_url
from auditloop.core.signin import RENEWED_AT

# Pages open before the second factor: signing in and out, and the pages that ask for it or
# set it up (each checks for itself what the session may do there).
SECOND_FACTOR_PREFIX = "/account/second-factor/"


class PasswordChangeRequiredMiddleware:
    """Every request of a login whose password an administrator set goes to the change-password
    page, except that page itself, signing out and static files (and except when the person
    signed in through single sign-on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "password_change_required", False)
            # Someone who signed in through single sign-on uses no password here.
            and request.session.get(SIGNED_IN_BY) != BY_SSO
        ):
            allowed = {fixed_url("accounts:password_change"), fixed_url("logout")}
            if (
                request.path not in allowed
                and not request.path.startswith(settings.STATIC_URL)
                and not request.path.startswith(SECOND_FACTOR_PREFIX)
            ):
                return redirect("accounts:password_change")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Every request of a session that must still pass a second factor goes to the page that
    asks for it (or, for a role that requires one and has none, to setting one up), except
    those pages, signing in and out, and static files."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            path.startswith((SECOND_FACTOR_PREFIX, settings.STATIC_URL))
            or path in {fixed_url("login"), fixed_url("logout"), fixed_url("favicon")}
            or not request.user.is_authenticated
        ):
            return self.get_response(request)
        need = second_factor_need(request)
        if need is Need.VERIFY:
            return redirect(reverse("second_factor:verify") + "?" + urlencode({"next": path}))
        if need is Need.SET_UP:
            return redirect("second_factor:set_up")
        return self.get_response(request)


class SignedInSessionMiddleware:
    """Two things about the signed-in session, between the authentication middleware and the
    session lifetime one (`auditloop.core.middleware.SessionLifetimeMiddleware`):

    - someone whose end date on the staff list has come is signed out at once, even before
      `auditloop leavers` closes their login, from the staff record the sign-in backend loads
      with the login: no query of its own (a closed login is signed out by Django itself, and
      a closed staff record is refused by every page's access decorator);
    - when the lifetime middleware renews the session's idle expiry (at most once every
      `AUDITLOOP_SESSION_RENEW_SECONDS`), the session's record is seen at that time: one
      write then, none on other requests."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        staff = getattr(user, "staff", None)
        if isinstance(staff, StaffMember) and has_left(staff.end_date, timezone.localdate()):
            logout(request)
            messages.info(
                request,
                "You have been signed out because your access to auditloop has ended. If you "
                "think this is wrong, ask an administrator.",
            )
            return self.get_response(request)
        renewed = request.session.get(RENEWED_AT)
        response = self.get_response(request)
        now_renewed = request.session.get(RENEWED_AT)
        if (
            renewed is not None
            and isinstance(now_renewed, int | float)
            and now_renewed != renewed
            and request.user.is_authenticated
        ):
            signed_in_session_seen(
                session_key=request.session.session_key,
                at=datetime.datetime.fromtimestamp(now_renewed, tz=datetime.UTC),
            )
        return response
