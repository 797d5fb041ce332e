"""`manage.py check` refuses a half-configured single sign-on, and password sign-in switched
off with no other way in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

# Each setting single sign-on needs, and the environment variable that sets it.
SSO_SETTINGS = {
    "OIDC_RP_CLIENT_SECRET": "AUDITLOOP_OIDC_CLIENT_SECRET",
    "AUDITLOOP_OIDC_ISSUER": "AUDITLOOP_OIDC_ISSUER",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "AUDITLOOP_OIDC_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT": "AUDITLOOP_OIDC_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT": "AUDITLOOP_OIDC_USERINFO_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT": "AUDITLOOP_OIDC_JWKS_ENDPOINT",
}


@register(Tags.security)
def sso_configuration(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors: list[Error] = []
    if settings.AUDITLOOP_SSO_ENABLED:
        missing = [env for name, env in SSO_SETTINGS.items() if not getattr(settings, name, "")]
        if missing:
            errors.append(
                Error(
                    "Single sign-on has a client id but not all it needs.",
                    hint="Set " + ", ".join(missing) + " (see the README, Signing in).",
                    id="auditloop.E101",
                )
            )
    if not settings.AUDITLOOP_PASSWORD_SIGNIN and not settings.AUDITLOOP_SSO_ENABLED:
        errors.append(
            Error(
                "Password sign-in is switched off and single sign-on is not set up.",
                hint="Set AUDITLOOP_OIDC_CLIENT_ID and the rest, or AUDITLOOP_PASSWORD_SIGNIN=on.",
                id="auditloop.E102",
            )
        )
    return errors
