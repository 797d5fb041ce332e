"""Writes of API tokens: make one, revoke one. Each writes one event naming the owner."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember, User
from auditloop.api.access import (
    PARTNER_REFUSAL,
    can_hold_api_token,
    refuse_unless_can_revoke_token,
)
from auditloop.api.models import ApiToken
from auditloop.api.selectors import key_digest
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused


@transaction.atomic
def api_token_create(*, by: StaffMember, name: str) -> tuple[ApiToken, str]:
    """Make a token for `by`'s login. Returns it with its key, which is never stored or shown
    again."""
    name = name.strip()
    if not name:
        raise Refused(
            "Enter a name for the token, such as the tool that will use it.", field="name"
        )
    if by.user is None:
        raise Refused(f"{by.name} has no login, so cannot have an API token.")
    if not can_hold_api_token(by):
        raise Refused(PARTNER_REFUSAL)
    key = "al_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=by.user, name=name, key_digest=key_digest(key), prefix=key[:8]
    )
    event_record(actor=by.user, verb="api_token.created", target=token, summary=name)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: StaffMember) -> ApiToken:
    """Stop the token working, for its owner (a password reset revokes them all at once)."""
    refuse_unless_can_revoke_token(by, token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    event_record(actor=by.user, verb="api_token.revoked", target=token, summary=token.name)
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note when the token was last used, for its owner's list. Bookkeeping on every call, not
    a change of what the token may do, so no event is written."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


def api_tokens_revoke_all(*, user: User, at: datetime.datetime) -> int:
    """Revoke every live token of `user` at `at`, for a change that ends all their access
    and writes its own event (receives accounts' `access_ending`). How many were revoked."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=at)


def access_ending_received(sender: object, *, user: User, at: datetime.datetime, **_: Any) -> int:
    """accounts' `access_ending`, sent when every way `user` signs in is ended."""
    return api_tokens_revoke_all(user=user, at=at)
