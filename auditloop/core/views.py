"""The home page (what you must do next) and your notifications."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from auditloop.core.access import any_staff, staff_for
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.models import Notification
from auditloop.core.selectors import home_work_for
from auditloop.core.services import notification_mark_read, notifications_mark_all_read

NOTIFICATIONS_SHOWN = 100


@any_staff
def home(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    work = home_work_for(staff)
    access_shown(user=request.user, targets=work.audits_shown(), purpose=Purpose.LISTED)
    access_shown(
        user=request.user,
        targets=[a.audit for a in work.actions_shown()],
        purpose=Purpose.ACTION_LISTED,
    )
    access_shown(
        user=request.user,
        targets=[e.audit for e in work.flags_shown()],
        purpose=Purpose.ESCALATION_LISTED,
    )
    return render(request, "core/home.html", {"staff": staff, "work": work})


@any_staff
def notifications(request: HttpRequest) -> HttpResponse:
    items = list(
        Notification.objects.filter(recipient_id=request.user.pk).order_by(
            F("read_at").asc(nulls_first=True), "-created_at", "-id"
        )[:NOTIFICATIONS_SHOWN]
    )
    return render(
        request,
        "core/notifications.html",
        {"items": items, "has_unread": any(n.read_at is None for n in items)},
    )


@any_staff
@require_POST
def notification_read(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        notification = Notification.objects.get(public_id=public_id, recipient_id=request.user.pk)
    except Notification.DoesNotExist as exc:
        raise Http404("No notification found.") from exc
    notification_mark_read(notification=notification, by=request.user)
    return redirect("notifications")


@any_staff
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(by=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications")
