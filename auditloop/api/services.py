from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from auditloop.api.models import ApiToken
from auditloop.api.selectors import key_digest
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused


class ApiTokenRefused(Refused):
    """A token change the rules do not allow; the message says why."""


@transaction.atomic
def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns it with its key, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ApiTokenRefused("Enter a name for the token, such as the tool that will use it.")
    key = "al_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, key_digest=key_digest(key), prefix=key[:8]
    )
    event_record(actor=user, verb="api_token.created", target=token, summary=name)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Any) -> ApiToken:
    if token.revoked_at is not None:
        raise ApiTokenRefused("This token has already been revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    event_record(actor=by, verb="api_token.revoked", target=token, summary=token.name)
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Note when the token was last used, for its owner's list. Bookkeeping on every call, not
    a change of what the token may do, so no event is written."""
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
