"""Reads of actions, always scoped to the person asking."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.access.actions import action_sign_off_filter, action_visibility_filter
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
)
from auditloop.audits.rules import may_sign_off, needs_action

# An action that answers a finding: any but a cancelled one.
ACTION_STANDS = (ActionStatus.OPEN, ActionStatus.COMPLETED, ActionStatus.CLOSED)


def today() -> datetime.date:
    return timezone.localdate()


def actions_visible_to(staff: StaffMember) -> QuerySet[Action]:
    """Every action `staff` may open (`action_visibility_filter`), soonest due first: what
    `get_action_for_user` answers and what the API lists."""
    return (
        Action.objects.filter(action_visibility_filter(staff))
        .select_related("owner", "audit")
        .order_by("due_date", "id")
    )


def actions_matching(
    actions: QuerySet[Action], *, status: str = "", overdue: bool = False
) -> QuerySet[Action]:
    """`actions` narrowed to one status (blank for any) and, with `overdue`, to the open ones
    past their due date, as on the "Overdue" tab."""
    if status:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions_filtered(actions, "overdue")
    return actions


def _listed(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related("owner__team", "audit__team").order_by("due_date", "id")


# The tabs of the action lists. Only a closed action is done: one waiting for sign-off is not.
SHOW_STATUSES: dict[str, tuple[str, ...]] = {
    "open": (ActionStatus.OPEN,),
    "overdue": (ActionStatus.OPEN,),
    "waiting": (ActionStatus.COMPLETED,),
    "closed": (ActionStatus.CLOSED, ActionStatus.CANCELLED),
}


def actions_filtered(qs: QuerySet[Action], show: str) -> QuerySet[Action]:
    """`show`: "open" (the default), "overdue" (open and past their due date), "waiting"
    (marked done, waiting for sign-off) or "closed" (signed off, or cancelled)."""
    if show == "overdue":
        return qs.filter(status=ActionStatus.OPEN, due_date__lt=today())
    if show == "closed":
        return qs.filter(status__in=SHOW_STATUSES["closed"]).order_by("-due_date", "-id")
    if show == "waiting":
        return qs.filter(status=ActionStatus.COMPLETED).order_by("completed_at", "id")
    return qs.filter(status=ActionStatus.OPEN)


def actions_owned_by(staff: StaffMember) -> QuerySet[Action]:
    return _listed(Action.objects.filter(owner=staff))


def actions_overseen_by(staff: StaffMember) -> QuerySet[Action]:
    """A team manager's team actions; an audit lead's or senior leader's service actions."""
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        scope = Q(owner__team_id=staff.team_id) | Q(audit__team_id=staff.team_id)
    elif staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        scope = Q(audit__team__service_id__in=services_overseen(staff))
    else:
        return Action.objects.none()
    return _listed(Action.objects.filter(scope))


def action_owner_choices(audit: Audit) -> QuerySet[StaffMember]:
    """Who can own an action from this audit: the audit's team, its practitioner, its auditor;
    never a partner agency auditor (the actions are the council's)."""
    rule = Q(pk=audit.auditor_id)
    if audit.practitioner_id is not None:
        rule |= Q(pk=audit.practitioner_id)
    if audit.team_id is not None:
        rule |= Q(team_id=audit.team_id)
    return (
        StaffMember.objects.filter(rule, is_active=True).exclude(role=Role.PARTNER).order_by("name")
    )


def actions_awaiting_sign_off_by(staff: StaffMember) -> QuerySet[Action]:
    """Actions marked done and waiting for `staff` to sign them off, longest waiting first."""
    return _listed(Action.objects.filter(action_sign_off_filter(staff))).order_by(
        "completed_at", "id"
    )


def actions_overdue_managed_by(staff: StaffMember, *, on: datetime.date) -> QuerySet[Action]:
    """Open actions past their due date that `staff` should chase: those of the people they
    line-manage, and, for a team manager, those from their team's audits or owned in their
    team. Never their own (the home page lists those as theirs)."""
    scope = Q(owner__manager=staff)
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        scope |= Q(audit__team_id=staff.team_id) | Q(owner__team_id=staff.team_id)
    return _listed(
        Action.objects.filter(scope, status=ActionStatus.OPEN, due_date__lt=on).exclude(owner=staff)
    )


def action_signers(action: Action) -> list[StaffMember]:
    """The active staff who may sign off `action` (`rules.may_sign_off`), to be told when it is
    marked done: the audit team's managers, or the owner's manager and head of service."""
    team = action.audit.team
    head_id = team.service.head_of_service_id if team is not None else None
    candidates = Q(pk__in=[i for i in (action.owner.manager_id, head_id) if i is not None])
    if team is not None:
        candidates |= Q(role=Role.TEAM_MANAGER, team_id=team.pk)
    owner = action.owner
    return [
        s
        for s in StaffMember.objects.filter(candidates, is_active=True).order_by("name", "id")
        if may_sign_off(
            signer_id=s.pk,
            signer_role=s.role,
            signer_team_id=s.team_id,
            owner_id=owner.pk,
            owner_role=owner.role,
            owner_team_id=owner.team_id,
            owner_manager_id=owner.manager_id,
            audit_team_id=team.pk if team is not None else None,
            head_of_service_id=head_id,
        )
    ]


def answers_needing_action(audit: Audit) -> list[Answer]:
    """The audit's answers that need an action, or a recorded reason why none is needed, and
    have neither, in the order of the tool. A cancelled action is no action. A calibration
    audit is an exercise, and a partner agency's is weighed at moderation: they need none
    (`Audit.raises_actions`). Uses the grade that counts (`Answer.grade_counted`)."""
    if not audit.raises_actions:
        return []
    answers = (
        Answer.objects.filter(audit=audit, no_action_reason="")
        .exclude(actions__status__in=ACTION_STANDS)
        .select_related("question", "grade", "agreed_grade")
        .order_by("question__section__order", "question__order")
    )
    return [
        a
        for a in answers
        if needs_action(
            kind=a.question.kind,
            compliance=a.compliance,
            grade_needs_action=a.grade_counted is not None and a.grade_counted.needs_action,
        )
    ]


def actions_by_question(audit: Audit) -> dict[int, list[Action]]:
    """The audit's actions from its questions' answers, by question id, for the answers page."""
    out: dict[int, list[Action]] = {}
    actions = (
        Action.objects.filter(audit=audit, answer__isnull=False)
        .select_related("owner", "answer")
        .order_by("created_at", "id")
    )
    for action in actions:
        if action.answer is not None:
            out.setdefault(action.answer.question_id, []).append(action)
    return out
