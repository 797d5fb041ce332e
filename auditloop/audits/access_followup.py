"""Get-for-user helpers for unsafe-child flags and actions: 404 when the user may not see the
object (as for a missing one). Reading a flag or an action is reading its audit: logged."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.audits.models import Action, Escalation
from auditloop.audits.selectors_actions import actions_visible_to
from auditloop.audits.selectors_escalations import escalation_visibility_filter
from auditloop.core.accesslog import Purpose, access_shown


def get_escalation_for_user(
    user: Any, public_id: UUID | str, *, purpose: Purpose = Purpose.ESCALATION
) -> Escalation:
    """The flag, if `user` may see it; the read of its audit is logged with `purpose`."""
    staff = staff_for(user)
    try:
        escalation = (
            Escalation.objects.filter(escalation_visibility_filter(staff), public_id=public_id)
            .select_related(
                "raised_by",
                "acknowledged_by",
                "audit__auditor",
                "audit__team__service",
                "audit__case__allocated_team__service",
                "audit__tool_version__tool",
            )
            .distinct()
            .get()
        )
    except (Escalation.DoesNotExist, ValueError) as exc:
        raise Http404("No unsafe-child flag found.") from exc
    access_shown(user=user, targets=[escalation.audit], purpose=purpose)
    return escalation


def get_action_for_user(user: Any, public_id: UUID | str) -> Action:
    staff = staff_for(user)
    try:
        action = (
            actions_visible_to(staff)
            .filter(public_id=public_id)
            .select_related(
                "owner__team", "audit__team__service", "audit__auditor", "answer__question"
            )
            .distinct()
            .get()
        )
    except (Action.DoesNotExist, ValueError) as exc:
        raise Http404("No action found.") from exc
    access_shown(user=user, targets=[action.audit], purpose=Purpose.ACTION)
    return action
