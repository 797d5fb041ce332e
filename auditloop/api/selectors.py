"""Reads of API tokens."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from auditloop.accounts.models import Role, StaffMember
from auditloop.api.models import ApiToken


def key_digest(key: str) -> str:
    """What is stored of a key: its SHA-256, never the key."""
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, with its user and staff record; None for a key that is
    unknown, revoked, or whose login has ended, and for a partner agency auditor's (one made
    before they became a partner): the API shows a partner nothing."""
    return (
        ApiToken.objects.select_related("user__staff")
        .filter(key_digest=key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .exclude(user__staff__role=Role.PARTNER)
        .first()
    )


def api_tokens_of(staff: StaffMember) -> QuerySet[ApiToken]:
    """`staff`'s own tokens, live and revoked, for their tokens page."""
    return (
        ApiToken.objects.filter(user_id=staff.user_id) if staff.user_id else ApiToken.objects.none()
    )
