"""Actions: my actions, team actions, one action (mark it done, sign it off or send it back,
cancel it), a new action from an audit's finding."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff, roles_required
from auditloop.accounts.models import Role
from auditloop.audits.access.actions import (
    ACTION_CANCEL_REFUSED,
    ACTION_COMPLETE_REFUSED,
    ACTION_CREATE_REFUSED,
    ACTION_SIGN_OFF_REFUSED,
    can_cancel_action,
    can_complete_action,
    can_create_action,
    can_sign_off_action,
    get_action_for_user,
)
from auditloop.audits.access.audits import get_audit_for_user, grades_hidden_from
from auditloop.audits.forms.actions import (
    OVERALL,
    ActionCancelForm,
    ActionCompleteForm,
    ActionCreateForm,
    ActionSendBackForm,
)
from auditloop.audits.models import Action, ActionStatus
from auditloop.audits.selectors.actions import (
    actions_filtered,
    actions_overseen_by,
    actions_owned_by,
    today,
)
from auditloop.audits.services.actions import (
    action_cancel,
    action_complete,
    action_create,
    action_send_back,
    action_sign_off,
)
from auditloop.audits.services.feedback import audit_url
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.keptparts import part_kept, part_rendered
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message

PAGE_SIZE = 50
SHOW = {
    "open": "Open",
    "overdue": "Overdue",
    "waiting": "Waiting for sign-off",
    "closed": "Closed or cancelled",
}


def _list_context(
    request: StaffRequest, qs: QuerySet[Action], *, name: str, team_view: bool = False
) -> dict[str, Any]:
    show = request.GET.get("show", "open")
    if show not in SHOW:
        show = "open"

    def draw() -> str:
        page = page_of(request, actions_filtered(qs, show), per_page=PAGE_SIZE)
        # An action is about its audit's child: listing it is a read of the audit.
        access_shown(
            user=request.user, targets=[a.audit for a in page], purpose=Purpose.ACTION_LISTED
        )
        return part_rendered(
            "audits/actions/_list_table.html",
            {
                "page": page,
                "show": show,
                "show_label": f"{SHOW[show]} actions",
                "team_view": team_view,
                "today": today(),
            },
            request=request,
        )

    return {
        "table": part_kept(name, request=request, draw=draw),
        "show": show,
        "tabs": SHOW,
        "team_view": team_view,
    }


@any_staff
def action_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    context = _list_context(request, actions_owned_by(staff), name="actions-list")
    context["title"] = "My actions"
    context["can_see_team"] = staff.role in {
        Role.TEAM_MANAGER,
        Role.MODERATOR,
        Role.SENIOR_LEADER,
    }
    return render(request, "audits/actions/list.html", context)


@roles_required(Role.TEAM_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER)
def team_action_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    context = _list_context(
        request, actions_overseen_by(staff), name="team-actions-list", team_view=True
    )
    context["title"] = (
        "Team actions" if staff.role == Role.TEAM_MANAGER else "Actions in your services"
    )
    return render(request, "audits/actions/list.html", context)


def _detail(
    request: StaffRequest,
    action: Action,
    *,
    complete_form: forms.Form | None = None,
    cancel_form: forms.Form | None = None,
    send_back_form: forms.Form | None = None,
) -> HttpResponse:
    staff = request.staff
    is_open = action.status == ActionStatus.OPEN
    waiting = action.status == ActionStatus.COMPLETED
    signs_off = waiting and can_sign_off_action(staff, action)
    # Sent back: the owner adds to the evidence they gave.
    evidence = {"evidence": action.completion_evidence} if action.completion_evidence else None
    return render(
        request,
        "audits/actions/detail.html",
        {
            "action": action,
            "audit_url": audit_url(action.audit),
            # The moderation blind: which graded question an action comes from tells the
            # moderator regrading the audit that it was graded as needing one.
            "grades_hidden": grades_hidden_from(staff, action.audit),
            "today": today(),
            "complete_form": (complete_form or ActionCompleteForm(initial=evidence))
            if is_open and can_complete_action(staff, action)
            else None,
            "cancel_form": (cancel_form or ActionCancelForm())
            if is_open and can_cancel_action(staff, action)
            else None,
            "can_sign_off": signs_off,
            "send_back_form": (send_back_form or ActionSendBackForm()) if signs_off else None,
        },
    )


@any_staff
def action_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    return _detail(request, get_action_for_user(request.user, public_id))


@any_staff
@require_POST
def action_complete_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    action = get_action_for_user(request.user, public_id)
    if not can_complete_action(staff, action):
        raise PermissionDenied(ACTION_COMPLETE_REFUSED)
    form = ActionCompleteForm(request.POST)
    if form.is_valid():
        try:
            action_complete(action=action, by=request.staff, evidence=form.cleaned_data["evidence"])
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Action marked as done. It is waiting for sign-off.")
            return redirect("audits:action", public_id=action.public_id)
    return _detail(request, action, complete_form=form)


def _action_to_sign_off(request: StaffRequest, public_id: UUID) -> Action:
    action = get_action_for_user(request.user, public_id)
    if not can_sign_off_action(request.staff, action):
        raise PermissionDenied(ACTION_SIGN_OFF_REFUSED)
    return action


@any_staff
@require_POST
def action_sign_off_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    action = _action_to_sign_off(request, public_id)
    try:
        action_sign_off(action=action, by=request.staff)
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(request, "Action signed off. It is closed.")
    return redirect("audits:action", public_id=action.public_id)


@any_staff
@require_POST
def action_send_back_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    action = _action_to_sign_off(request, public_id)
    form = ActionSendBackForm(request.POST)
    if form.is_valid():
        try:
            action_send_back(action=action, by=request.staff, reason=form.cleaned_data["reason"])
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Action sent back to {action.owner.name}.")
            return redirect("audits:action", public_id=action.public_id)
    return _detail(request, action, send_back_form=form)


@any_staff
@require_POST
def action_cancel_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    action = get_action_for_user(request.user, public_id)
    if not can_cancel_action(staff, action):
        raise PermissionDenied(ACTION_CANCEL_REFUSED)
    form = ActionCancelForm(request.POST)
    if form.is_valid():
        try:
            action_cancel(action=action, by=request.staff, reason=form.cleaned_data["reason"])
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Action cancelled.")
            return redirect("audits:action", public_id=action.public_id)
    return _detail(request, action, cancel_form=form)


@any_staff
def action_create_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = request.staff
    audit = get_audit_for_user(request.user, public_id)
    if not can_create_action(staff, audit):
        raise PermissionDenied(ACTION_CREATE_REFUSED)
    initial = {"finding": request.GET.get("finding", OVERALL)}
    form = ActionCreateForm(request.POST or None, audit=audit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            action = action_create(
                audit=audit,
                by=request.staff,
                description=form.cleaned_data["description"],
                owner=form.cleaned_data["owner"],
                due_date=form.cleaned_data["due_date"],
                answer=form.chosen_answer(),
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Action added for {action.owner.name}.")
            return redirect(audit_url(audit) + "#actions")
    return render(
        request,
        "audits/actions/create.html",
        {"audit": audit, "audit_url": audit_url(audit), "form": form},
    )


urlpatterns = [
    path("actions/", action_list, name="actions"),
    path("actions/team/", team_action_list, name="team_actions"),
    path("actions/<uuid:public_id>/", action_detail, name="action"),
    path("actions/<uuid:public_id>/complete/", action_complete_view, name="action_complete"),
    path("actions/<uuid:public_id>/sign-off/", action_sign_off_view, name="action_sign_off"),
    path("actions/<uuid:public_id>/send-back/", action_send_back_view, name="action_send_back"),
    path("actions/<uuid:public_id>/cancel/", action_cancel_view, name="action_cancel"),
    path("<uuid:public_id>/actions/new/", action_create_view, name="action_create"),
]
