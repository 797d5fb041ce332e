"""What the session records about how its person signed in (the contract between the sign-in
parts: single sign-on writes these keys, the second factor reads them)."""

from __future__ import annotations

# "sso" or "password".
SIGNED_IN_BY = "auditloop_signed_in_by"
# True when the single sign-on provider's ID token says a multi-factor method was used.
SSO_MFA = "auditloop_sso_mfa"
