"""Signing in, and your notifications (they belong to your login)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
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
from auditloop.core.signin import client_ip, password_signin_refused

NOTIFICATIONS_SHOWN = 100


PASSWORD_SIGNIN_OFF = "Password sign-in is switched off"  # noqa: S105


class SignInView(LoginView):
    """Django's sign-in, with every failed attempt recorded for the administrators; with
    single sign-on set up, a button to the council's identity provider; with password sign-in
    switched off, no password form (but for break-glass administrators at `?password`), and a
    password sent anyway refused before it is checked."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        password_signin = settings.AUDITLOOP_PASSWORD_SIGNIN
        context.update(
            sso_enabled=settings.AUDITLOOP_SSO_ENABLED,
            sso_button=settings.AUDITLOOP_OIDC_PROVIDER_NAME,
            password_signin=password_signin,
            show_password_form=password_signin
            or "password" in self.request.GET
            or self.request.method == "POST",
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", "")).strip()
        if username and password_signin_refused(username):
            failed_sign_in_record(
                username=username,
                ip_address=client_ip(request),
                locked_out=False,
                reason=PASSWORD_SIGNIN_OFF,
            )
            # An unbound form: validating it would try the password.
            form = AuthenticationForm(request, initial={"username": username})
            return self.render_to_response(
                self.get_context_data(form=form, password_signin_refused=True)
            )
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

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
