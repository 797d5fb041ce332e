"""How the session's person signed in, for the parts that decide on a second factor.

Set on every sign-in (`signin_method_record` receives `user_logged_in`):

- `SIGNED_IN_BY`: `"sso"` through the council's identity provider, `"password"` otherwise;
- `SSO_MFA`: True when the provider's ID token says (its `amr` claim) that the person used
  more than one factor; always False for a password sign-in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest

SIGNED_IN_BY = "auditloop_signed_in_by"
SSO_MFA = "auditloop_sso_mfa"

BY_SSO = "sso"
BY_PASSWORD = "password"  # noqa: S105 (a word, not a secret)

# The backend the sign-on callback signs people in with (Django keeps its path in the session).
SSO_BACKEND = "auditloop.accounts.backends.StaffSignOnBackend"

# Authentication method references (RFC 8176) of something the person knows, and of something
# they have or are; "mfa" says it outright.
_KNOWLEDGE = frozenset({"pwd", "pin", "kba"})
_POSSESSION_OR_INHERENCE = frozenset(
    {"otp", "hwk", "swk", "sms", "tel", "sc", "fido", "face", "fpt", "iris", "retina", "vbm"}
)


def amr_is_multi_factor(amr: Any) -> bool:
    """Whether an ID token's `amr` claim names more than one factor: "mfa", or something known
    with something held or something the person is. Anything else (absent, malformed) is not."""
    if isinstance(amr, str):
        amr = [amr]
    if not isinstance(amr, Iterable):
        return False
    methods = {str(method).lower() for method in amr}
    if "mfa" in methods:
        return True
    return bool(methods & _KNOWLEDGE) and bool(methods & _POSSESSION_OR_INHERENCE)


def signin_method_record(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Receives `user_logged_in`: how this session's person signed in. The sign-on backend
    leaves the ID token's `amr` on the user it returns (`sso_amr`)."""
    if request is None or not hasattr(request, "session"):
        return
    by_sso = request.session.get(BACKEND_SESSION_KEY) == SSO_BACKEND
    request.session[SIGNED_IN_BY] = BY_SSO if by_sso else BY_PASSWORD
    request.session[SSO_MFA] = by_sso and amr_is_multi_factor(getattr(user, "sso_amr", None))


def signed_in_by(request: HttpRequest) -> str | None:
    """`"sso"`, `"password"`, or None for a session from before these keys."""
    value = request.session.get(SIGNED_IN_BY)
    return value if value in {BY_SSO, BY_PASSWORD} else None


def sso_mfa(request: HttpRequest) -> bool:
    """Whether the identity provider said the person used more than one factor."""
    return request.session.get(SIGNED_IN_BY) == BY_SSO and request.session.get(SSO_MFA) is True
