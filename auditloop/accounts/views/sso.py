"""Single sign-on with OpenID Connect: the start (off to the council's identity provider) and
the callback it sends the person back to. Both are public sign-in routes, like the sign-in
page; with single sign-on switched off they are not found."""

from __future__ import annotations

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from auditloop.accounts.backends import SIGN_ON_REFUSED
from auditloop.accounts.sso import LOG_WORDS, REFUSAL_WORDS, TOKEN_REFUSED_LOG_WORDS, SignOnRefused
from auditloop.core.access import public
from auditloop.core.events import failed_sign_in_record
from auditloop.core.signin import client_ip

logger = logging.getLogger(__name__)


class SignOnStart(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Off to the provider, with a fresh state, nonce and PKCE challenge kept in the session."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.AUDITLOOP_SSO_ENABLED:
            raise Http404("Single sign-on is not set up.")
        response: HttpResponse = super().get(request)
        return response


class SignOnCallback(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Back from the provider: the state must be one this session started, and the code is
    exchanged for tokens the backend verifies. Anything wrong is a plain page saying what to
    do, recorded as a failed sign-in (never with a token or a claim other than the email)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.AUDITLOOP_SSO_ENABLED:
            raise Http404("Single sign-on is not set up.")
        try:
            response: HttpResponse = super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, ValueError) as exc:
            # The message names the check that failed (state, nonce, audience...), no token.
            logger.warning("Single sign-on not confirmed: %s", _first_line(exc))
            return self._not_confirmed()
        return response

    def login_success(self) -> HttpResponse:
        # Always a fresh login, even for someone signed in already, so that how they signed in
        # (auditloop.accounts.signin_state) is this sign-in's.
        auth.login(self.request, self.user)
        return HttpResponseRedirect(self.success_url)

    def login_failure(self) -> HttpResponse:
        refused = getattr(self.request, SIGN_ON_REFUSED, None)
        if isinstance(refused, SignOnRefused):
            failed_sign_in_record(
                username=refused.username,
                ip_address=client_ip(self.request),
                locked_out=False,
                reason=LOG_WORDS[refused.reason],
            )
            return render(
                self.request,
                "accounts/sso/refused.html",
                {"email": refused.email, "why": REFUSAL_WORDS[refused.reason]},
                status=403,
            )
        return self._not_confirmed()

    def _not_confirmed(self) -> HttpResponse:
        cancelled = bool(self.request.GET.get("error"))
        failed_sign_in_record(
            username="",
            ip_address=client_ip(self.request),
            locked_out=False,
            reason=(
                "Single sign-on: refused or cancelled at the provider"
                if cancelled
                else TOKEN_REFUSED_LOG_WORDS
            ),
        )
        return render(
            self.request,
            "accounts/sso/not_confirmed.html",
            {"cancelled": cancelled},
            status=400,
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:200]}"


sso_start = public(SignOnStart.as_view())
sso_callback = public(SignOnCallback.as_view())

# Mounted at /sign-in/sso/ (config/urls.py), beside the sign-in page.
urlpatterns = [
    path("", sso_start, name="sso_start"),
    path("callback/", sso_callback, name="sso_callback"),
]
