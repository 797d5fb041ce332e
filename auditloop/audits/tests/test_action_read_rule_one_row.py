"""An action's own page looks its action up with the read rule's parts ORed on that one row
(`action_visibility_filter_for_one`), not their union, which lists use: both must admit exactly
the same actions for every reader."""

from __future__ import annotations

import pytest

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.actions import (
    action_visibility_filter,
    action_visibility_filter_for_one,
)
from auditloop.audits.models import Action, Audit, AuditStatus, AuditType
from auditloop.audits.tests.followup_factories import make_action, make_audit
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def _actions(p: Personas) -> list[Action]:
    """Actions reached by every part of the rule: owned, raised, on an audit one audits, owned
    by one's report, in one's team, on one's team's audit, and in another service."""
    by_lead = make_audit(p, status=AuditStatus.SUBMITTED, auditor=p.moderator)
    south = Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        practitioner=p.outsider,
        team=p.south_a,
    )
    return [
        make_action(p),
        make_action(p, owner=p.auditor),
        make_action(p, owner=p.team_manager, created_by=p.moderator),
        make_action(p, audit=by_lead, owner=p.practitioner),
        make_action(p, audit=by_lead, owner=p.senior_leader),
        make_action(p, audit=south, owner=p.outsider),
        make_action(p, audit=south, owner=p.outsider, created_by=p.moderator),
        make_action(p, audit=south, owner=p.outsider_manager),
    ]


def _readers(p: Personas) -> list[StaffMember]:
    partner = make_staff("partner1", "Parveen Partner", Role.PARTNER, None)
    return [*p.all_roles().values(), p.outsider_manager, partner]


def test_the_one_action_rule_admits_exactly_the_actions_the_list_rule_admits(
    p: Personas,
) -> None:
    actions = _actions(p)
    for reader in _readers(p):
        listed = set(Action.objects.filter(action_visibility_filter(reader)).values_list("pk"))
        for action in actions:
            one = Action.objects.filter(action_visibility_filter_for_one(reader), pk=action.pk)
            assert one.exists() == ((action.pk,) in listed), (reader.role, reader.name)


def test_the_one_action_rule_is_tried_on_readers_who_see_some_and_not_others(
    p: Personas,
) -> None:
    actions = _actions(p)
    for reader in (p.practitioner, p.team_manager, p.auditor, p.moderator, p.outsider):
        seen = [
            a
            for a in actions
            if Action.objects.filter(action_visibility_filter_for_one(reader), pk=a.pk).exists()
        ]
        assert 0 < len(seen) < len(actions), reader.role
