"""Training: the rules audit leads set, the needs they raise, training events with who attended
(on a form or from a CSV register), and whether the training made a difference."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.imports.parsers.base import FileRejected
from auditloop.learning.access.training import (
    EVENT_READERS,
    NEED_READERS,
    RULE_READERS,
    can_change_event,
    can_decide_need,
    can_read_impact,
    get_event_for_user,
    get_event_impact_for_user,
    get_need_for_user,
    get_rule_for_user,
)
from auditloop.learning.forms.training import (
    AttendanceImportForm,
    AttendeesForm,
    CheckRulesForm,
    EventForm,
    NeedDecisionForm,
    NeedFilterForm,
    RuleForm,
)
from auditloop.learning.models import TrainingNeedStatus, TrainingRule
from auditloop.learning.rules.attendance_csv import parse_attendance, template_csv
from auditloop.learning.rules.suppression import (
    MIN_PEOPLE,
    SUPPRESSED_GROUP_NOTE,
    SUPPRESSED_MARK,
)
from auditloop.learning.rules.training_impact import effect_words, impact_compare
from auditloop.learning.selectors.training import (
    default_scale_grades,
    event_attendance,
    event_needs,
    events_listed,
    impact_data,
    needs_matching,
    rule_words,
    rules_listed,
)
from auditloop.learning.services.training import (
    EventDetails,
    RuleDetails,
    training_attendance_import,
    training_attendance_import_rejected,
    training_attendance_set,
    training_event_create,
    training_need_decide,
    training_needs_raise,
    training_rule_activate,
    training_rule_create,
    training_rule_update,
)

# Rules ----------------------------------------------------------------------------------------


@roles_required(*RULE_READERS)
def rule_list(request: StaffRequest) -> HttpResponse:
    page = page_of(request, rules_listed())
    labels = {g.value: g.label for g in default_scale_grades()}
    return render(
        request,
        "learning/training/rules.html",
        {
            "page": page,
            "rows": [(rule, rule_words(rule, labels)) for rule in page.object_list],
            "can_set": request.staff.is_audit_lead,
            "small_group_min": settings.AUDITLOOP_SMALL_GROUP_MIN,
        },
    )


def _rule_details(data: dict[str, Any]) -> RuleDetails:
    return RuleDetails(
        name=data["name"],
        kind=data["kind"],
        question=data.get("question"),
        grade_value=data.get("grade_value") if data.get("grade_value") != "" else None,
        percent=data.get("percent"),
        theme=data.get("theme"),
        count=data.get("count"),
    )


@roles_required(Role.MODERATOR)
def rule_create(request: StaffRequest) -> HttpResponse:
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = training_rule_create(details=_rule_details(form.cleaned_data), by=request.staff)
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Rule '{rule.name}' set.")
            return redirect("learning:training_rules")
    return render(request, "learning/training/rule_form.html", {"form": form, "rule": None})


def _rule_initial(rule: TrainingRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "kind": rule.kind,
        "question": rule.question,
        "grade_value": rule.grade_value,
        "percent": rule.percent,
        "theme": rule.theme,
        "count": rule.count,
    }


@roles_required(Role.MODERATOR)
def rule_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    rule = get_rule_for_user(request.user, public_id, write=True)
    form = RuleForm(request.POST or None, initial=_rule_initial(rule))
    if request.method == "POST" and form.is_valid():
        try:
            training_rule_update(
                rule=rule, details=_rule_details(form.cleaned_data), by=request.staff
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Rule '{rule.name}' changed.")
            return redirect("learning:training_rules")
    return render(request, "learning/training/rule_form.html", {"form": form, "rule": rule})


@roles_required(Role.MODERATOR)
@require_POST
def rule_active(request: StaffRequest, public_id: UUID) -> HttpResponse:
    rule = get_rule_for_user(request.user, public_id, write=True)
    active = request.POST.get("active") == "yes"
    try:
        training_rule_activate(rule=rule, active=active, by=request.staff)
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(
            request, f"Rule '{rule.name}' {'switched on' if active else 'switched off'}."
        )
    return redirect("learning:training_rules")


# Needs ----------------------------------------------------------------------------------------


@roles_required(*NEED_READERS)
def need_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    filters = NeedFilterForm(request.GET or None, staff=staff)
    page = page_of(request, needs_matching(staff, **filters.chosen()))
    context: dict[str, Any] = {"page": page, "filters": filters, "can_check": staff.is_audit_lead}
    if staff.is_audit_lead:
        # Its own ids: the filters below have a cycle field too.
        context["check_form"] = CheckRulesForm(staff=staff, auto_id="check-%s")
    return render(request, "learning/training/needs.html", context)


@roles_required(Role.MODERATOR)
@require_POST
def needs_check(request: StaffRequest) -> HttpResponse:
    """Check every active rule against a cycle's counted audits, raising the needs that fire."""
    form = CheckRulesForm(request.POST, staff=request.staff)
    if not form.is_valid():
        messages.error(request, "Choose the cycle to check the rules for.")
        return redirect("learning:training_needs")
    cycle = form.cleaned_data["cycle"]
    try:
        outcome = training_needs_raise(cycle=cycle, by=request.staff)
    except Refused as exc:
        refusal_to_message(request, exc)
        return redirect("learning:training_needs")
    raised = len(outcome.raised)
    text = f"Rules checked for {cycle.name}: {raised} new need{'s' if raised != 1 else ''} raised"
    if outcome.already:
        text += f", {outcome.already} raised before and left as they were"
    messages.success(request, text + ".")
    for rule, teams in sorted(outcome.too_few.items()):
        messages.info(
            request,
            f"'{rule}' could not judge {', '.join(teams)}: fewer than "
            f"{settings.AUDITLOOP_SMALL_GROUP_MIN} counted audits, too few to say.",
        )
    return redirect(f"{reverse('learning:training_needs')}?cycle={cycle.public_id}")


@roles_required(*NEED_READERS)
def need_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    need = get_need_for_user(request.user, public_id)
    can_decide = can_decide_need(request.staff, need)
    return render(
        request,
        "learning/training/need.html",
        {
            "need": need,
            "evidence": need.evidence,
            "events": need.events.order_by("-held_on"),
            "can_decide": can_decide,
            "form": NeedDecisionForm() if can_decide else None,
            "decidable": need.status in {TrainingNeedStatus.OPEN, TrainingNeedStatus.PLANNED},
        },
    )


@roles_required(Role.MODERATOR)
@require_POST
def need_decide(request: StaffRequest, public_id: UUID) -> HttpResponse:
    need = get_need_for_user(request.user, public_id, write=True)
    form = NeedDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            training_need_decide(
                need=need,
                status=data["status"],
                by=request.staff,
                note=data["note"],
                event=data["event"],
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Need marked {need.get_status_display().lower()}.")
            return redirect("learning:training_need", public_id=need.public_id)
    return render(
        request,
        "learning/training/need.html",
        {
            "need": need,
            "evidence": need.evidence,
            "events": need.events.order_by("-held_on"),
            "can_decide": True,
            "form": form,
            "decidable": True,
        },
    )


# Events ---------------------------------------------------------------------------------------


@roles_required(*EVENT_READERS)
def event_list(request: StaffRequest) -> HttpResponse:
    page = page_of(request, events_listed())
    return render(
        request,
        "learning/training/events.html",
        {"page": page, "can_record": request.staff.is_audit_lead},
    )


@roles_required(Role.MODERATOR)
def event_create(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = EventForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = training_event_create(
                details=EventDetails(
                    title=data["title"],
                    held_on=data["held_on"],
                    provider=data["provider"],
                    description=data["description"],
                    question=data["question"],
                    theme=data["theme"],
                ),
                by=staff,
                needs=data["needs"],
                attendees=form.people(),
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, f"Training event '{event.title}' recorded.")
            return redirect("learning:training_event", public_id=event.public_id)
    return render(request, "learning/training/event_form.html", {"form": form})


@roles_required(*EVENT_READERS)
def event_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    event = get_event_for_user(request.user, public_id)
    staff = request.staff
    return render(
        request,
        "learning/training/event.html",
        {
            "event": event,
            "attendance": event_attendance(event, staff),
            "attended": event.attendance.count(),
            "needs": event_needs(event, staff),
            "can_record": can_change_event(staff, event),
            "can_read_impact": can_read_impact(staff, event),
            "own_team_only": staff.role == Role.TEAM_MANAGER,
        },
    )


@roles_required(Role.MODERATOR)
def event_attendance_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    event = get_event_for_user(request.user, public_id, write=True)
    staff = request.staff
    present = list(event.attendance.values_list("staff_id", flat=True))
    form = AttendeesForm(request.POST or None, staff=staff, initial={"attendees": present})
    if request.method == "POST" and form.is_valid():
        # Attendees outside the lead's services stay on the register: they are not on the form.
        outside = list(
            event.attendance.exclude(
                staff__in=form.fields["attendees"].queryset  # type: ignore[attr-defined]
            ).select_related("staff")
        )
        people = [*form.people(), *(a.staff for a in outside)]
        try:
            change = training_attendance_set(event=event, staff=people, by=staff)
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(
                request, f"Attendance saved: {change.added} added, {change.removed} removed."
            )
            return redirect("learning:training_event", public_id=event.public_id)
    return render(request, "learning/training/attendance_form.html", {"event": event, "form": form})


@roles_required(Role.MODERATOR)
def event_attendance_import(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Upload a CSV register: checked whole, and written only if no row has an error."""
    event = get_event_for_user(request.user, public_id, write=True)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"event": event, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = upload.name or "attendance.csv"
        try:
            parsed = parse_attendance(
                upload.read(), name=name, held_on=event.held_on, title=event.title
            )
        except FileRejected as exc:
            training_attendance_import_rejected(event=event, by=request.staff)
            form.add_error("file", str(exc))
        else:
            outcome = training_attendance_import(
                event=event, parsed=parsed, name=name, by=request.staff
            )
            context["issues"] = outcome.issues.listed()
            context["change"] = outcome.change
            context["file_name"] = name
            if outcome.change is not None and not outcome.issues:
                c = outcome.change
                messages.success(
                    request,
                    f"Attendance imported from {name}: {c.added} added, {c.removed} removed, "
                    f"{c.unchanged} already recorded.",
                )
                return redirect("learning:training_event", public_id=event.public_id)
    return render(request, "learning/training/attendance_import.html", context)


@roles_required(Role.MODERATOR)
def attendance_template(request: StaffRequest) -> HttpResponse:
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="attendance-register-template.csv"'
    return response


@roles_required(*EVENT_READERS)
def event_impact(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Group figures only: no individual's grades, and a group smaller than the small-group
    minimum is not shown at all."""
    event = get_event_impact_for_user(request.user, public_id)
    today = timezone.localdate()
    data = impact_data(event, today=today)
    threshold = settings.AUDITLOOP_SMALL_GROUP_MIN
    impact = impact_compare(
        data.attendees, data.others, places=len(data.labels), threshold=threshold
    )
    rows = [
        {"name": f"{name}, {when}", "people": group.people, "period": getattr(group, when)}
        for name, group in (("Attended", impact.attendees), ("Did not attend", impact.others))
        for when in ("before", "after")
    ]
    return render(
        request,
        "learning/training/impact.html",
        {
            "event": event,
            "data": data,
            "impact": impact,
            "rows": rows,
            "mark": SUPPRESSED_MARK,
            "suppressed_note": SUPPRESSED_GROUP_NOTE.format(threshold=threshold, people=MIN_PEOPLE)
            if impact.attendees.suppressed or impact.others.suppressed
            else "",
            "effect_words": effect_words(impact.effect),
            "future": event.held_on >= today,
            "groups": [("Attended", impact.attendees), ("Did not attend", impact.others)],
        },
    )


urlpatterns = [
    path("training/rules/", rule_list, name="training_rules"),
    path("training/rules/new/", rule_create, name="training_rule_create"),
    path("training/rules/<uuid:public_id>/", rule_edit, name="training_rule_edit"),
    path("training/rules/<uuid:public_id>/active/", rule_active, name="training_rule_active"),
    path("training/needs/", need_list, name="training_needs"),
    path("training/needs/check/", needs_check, name="training_needs_check"),
    path("training/needs/<uuid:public_id>/", need_detail, name="training_need"),
    path("training/needs/<uuid:public_id>/decide/", need_decide, name="training_need_decide"),
    path("training/events/", event_list, name="training_events"),
    path("training/events/new/", event_create, name="training_event_create"),
    path(
        "training/events/attendance-template.csv",
        attendance_template,
        name="training_attendance_template",
    ),
    path("training/events/<uuid:public_id>/", event_detail, name="training_event"),
    path(
        "training/events/<uuid:public_id>/attendance/",
        event_attendance_edit,
        name="training_attendance",
    ),
    path(
        "training/events/<uuid:public_id>/attendance/import/",
        event_attendance_import,
        name="training_attendance_import",
    ),
    path("training/events/<uuid:public_id>/impact/", event_impact, name="training_impact"),
]
