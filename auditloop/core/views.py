"""Signing in, and your notifications (they belong to your login)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from auditloop.core.access import public, signed_in
from auditloop.core.events import failed_sign_in_record
from auditloop.core.models import Notification
from auditloop.core.services import notification_mark_read, notifications_mark_all_read
from auditloop.core.signin import client_ip

NOTIFICATIONS_SHOWN = 100


class SignInView(LoginView):
    """Django's sign-in, with every failed attempt recorded for the administrators."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        username = str(form.data.get("username", "")).strip()
        if username and form.data.get("password"):  # a blank form is not an attempt
            failed_sign_in_record(
                username=username,
                ip_address=client_ip(self.request),
                locked_out=bool(getattr(self.request, "axes_locked_out", False)),
            )
        return super().form_invalid(form)


sign_in = public(SignInView.as_view())


@signed_in
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


def _own_notification(request: HttpRequest, public_id: UUID) -> Notification:
    """The signed-in person's notification; 404 for anyone else's, as for a missing one."""
    try:
        return Notification.objects.get(public_id=public_id, recipient_id=request.user.pk)
    except Notification.DoesNotExist as exc:
        raise Http404("No notification found.") from exc


@signed_in
@require_GET
def notification_open(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Open what a notification is about, marking it read. A GET, so that it is a plain link:
    the notification's id is random and its recipient's own, so no other site can forge it."""
    notification = _own_notification(request, public_id)
    notification_mark_read(notification=notification, by=request.user)
    url = notification.url
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notifications")


@signed_in
@require_POST
def notification_read(request: HttpRequest, public_id: UUID) -> HttpResponse:
    notification = _own_notification(request, public_id)
    notification_mark_read(notification=notification, by=request.user)
    return redirect("notifications")


@signed_in
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(by=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    return redirect("notifications")
