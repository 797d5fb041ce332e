"""Who may do what with API tokens, and the get-for-user helper for a token: a token is its
owner's alone, so anyone else's answers 404, exactly as a missing one."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

from auditloop.accounts.models import Role, StaffMember
from auditloop.api.models import ApiToken
from auditloop.api.selectors import api_tokens_of
from auditloop.core.refusals import Refused

# A partner agency auditor reads only their own audits, on pages of their own: the API, made
# for the council's reporting tools, shows them nothing, so they hold no token for it.
PARTNER_REFUSAL = (
    "Partner agency auditors cannot have API tokens. The API is for the council's reporting "
    "tools; your audits are on your own pages."
)


def can_hold_api_token(staff: StaffMember) -> bool:
    """Everyone but a partner agency auditor may make and use API tokens."""
    return staff.role != Role.PARTNER


def can_revoke_token(staff: StaffMember, token: ApiToken) -> bool:
    """Only the token's owner revokes it, and only while it works."""
    return token.user_id == staff.user_id and token.revoked_at is None


def refuse_unless_can_revoke_token(staff: StaffMember, token: ApiToken) -> None:
    if can_revoke_token(staff, token):
        return
    if token.revoked_at is not None:
        raise Refused("This token has already been revoked.")
    raise Refused("Only the token's owner can revoke it.")


def get_api_token_for_user(staff: StaffMember, public_id: UUID) -> ApiToken:
    token = api_tokens_of(staff).filter(public_id=public_id).first()
    if token is None:
        raise Http404("No token found.")
    return token
