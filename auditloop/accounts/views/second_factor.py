"""A second factor: give it as you sign in, set one up (an authenticator app, recovery codes),
see and manage your own; and an administrator's reset of someone else's.

The pages under /account/second-factor/ open before the second factor is passed (the
middleware lets them through): each decides for itself what the session may do there. A
session that has a second factor to give may only give it; setting one up, or making new
recovery codes, needs the second factor passed first (or none to pass)."""

from __future__ import annotations

import json
from base64 import b32encode
from binascii import unhexlify
from functools import wraps
from typing import Any
from uuid import UUID

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from auditloop.accounts.access import StaffRequest, get_staff_member_for_user, signed_in_user
from auditloop.accounts.forms import (
    PasskeyForm,
    PasskeySignInForm,
    SecondFactorCodeForm,
    SecondFactorResetForm,
)
from auditloop.accounts.models import Passkey
from auditloop.accounts.second_factor import (
    HAS_SECOND_FACTOR,
    Need,
    has_second_factor,
    is_verified,
    remember_has_second_factor,
    role_requires_second_factor,
    second_factor_need,
)
from auditloop.accounts.services import passkeys as passkey_services
from auditloop.accounts.services import second_factor as services
from auditloop.accounts.views.common import administrators_only, form_page, posted_data
from auditloop.core.access import ViewFunc, signed_in

# The secret offered on the set-up page, kept until the code from the app confirms it.
PENDING_KEY = "auditloop_second_factor_pending_key"
# The challenges a page gave the browser for a passkey, kept until its form comes back.
PASSKEY_REGISTER_CHALLENGE = "auditloop_passkey_register_challenge"
PASSKEY_SIGN_IN_CHALLENGE = "auditloop_passkey_sign_in_challenge"


def _site(request: HttpRequest) -> passkey_services.Relying:
    host = request.get_host()
    return passkey_services.Relying(
        rp_id=host.rsplit(":", 1)[0] if not host.endswith("]") else host,
        origin=f"{request.scheme}://{host}",
        name=settings.OTP_TOTP_ISSUER,
    )


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def second_factor_passed[V: ViewFunc](view: V) -> V:
    """A page of one's own second factor: only once it is passed (or there is none to pass)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        need = second_factor_need(request)
        if need is Need.VERIFY:
            return redirect(
                reverse("second_factor:verify") + "?" + urlencode({"next": request.path})
            )
        if need is Need.SET_UP:
            return redirect("second_factor:set_up")
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _signed_in_session_passed(view: ViewFunc) -> ViewFunc:
    return signed_in(second_factor_passed(view))


@signed_in
def verify(request: HttpRequest) -> HttpResponse:
    """Give the second factor: the app's code or a recovery code."""
    user = signed_in_user(request)
    need = second_factor_need(request)
    if need is Need.VERIFY and not has_second_factor(user):
        # Reset by an administrator since this session began: nothing to give any more.
        remember_has_second_factor(request.session, user)
        need = second_factor_need(request)
    if need is Need.SET_UP:
        return redirect("second_factor:set_up")
    if need is Need.NOTHING:
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            device = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            otp_login(request, device)
            if device.name == services.RECOVERY_CODES_NAME:
                left = services.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it cannot be used again. You have "
                    f"{left} left. If you have lost your phone, set up your authenticator app "
                    "again from 'Your second factor'.",
                )
            return redirect(_next_url(request))
    return _verify_page(request, form, PasskeySignInForm())


def _verify_page(
    request: HttpRequest,
    form: SecondFactorCodeForm,
    passkey_form: PasskeySignInForm,
    *,
    passkey_error: str = "",
) -> HttpResponse:
    ceremony = passkey_services.passkey_authentication_options(
        user=signed_in_user(request), site=_site(request)
    )
    if ceremony is not None:
        request.session[PASSKEY_SIGN_IN_CHALLENGE] = ceremony.challenge
    return render(
        request,
        "accounts/second_factor/verify.html",
        {
            "form": form,
            "passkey_form": passkey_form,
            "passkey_options": json.loads(ceremony.options_json) if ceremony else None,
            "passkey_error": passkey_error,
            "next": _next_url(request),
        },
    )


@signed_in
@require_POST
def passkey_sign_in(request: HttpRequest) -> HttpResponse:
    """Give a passkey as the second factor (the verify page's passkey form)."""
    user = signed_in_user(request)
    if second_factor_need(request) is not Need.VERIFY:
        return redirect("second_factor:verify")
    passkey_form = PasskeySignInForm(request.POST)
    passkey_form.is_valid()
    try:
        passkey = passkey_services.passkey_verify(
            user=user,
            credential=passkey_form.cleaned_data.get("credential", ""),
            challenge=request.session.pop(PASSKEY_SIGN_IN_CHALLENGE, None),
            site=_site(request),
        )
    except ValidationError as exc:
        return _verify_page(
            request, SecondFactorCodeForm(), passkey_form, passkey_error=" ".join(exc.messages)
        )
    otp_login(request, passkey)
    return redirect(_next_url(request))


def _qr_svg(url: str) -> SafeString:
    """The set-up link as a QR code, inline SVG (no image service, no inline style)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", border=4, svgclass="app-qr-code"
    )
    label = escape("QR code to scan with your authenticator app")
    return SafeString(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    # Rendered in answer to the POST, never redirected to: the codes are shown this once.
    return render(
        request,
        "accounts/second_factor/recovery_codes.html",
        {"codes": codes, "first": first},
    )


@signed_in
def set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan or type the secret, confirm with a code, then see the
    recovery codes once."""
    user = signed_in_user(request)
    if second_factor_need(request) is Need.VERIFY:
        # Someone with only the password must not add a factor of their own.
        return redirect(reverse("second_factor:verify") + "?" + urlencode({"next": request.path}))
    key = request.session.get(PENDING_KEY)
    if not isinstance(key, str) or len(key) != 40:
        key = default_key()
        request.session[PENDING_KEY] = key
    form = SecondFactorCodeForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_totp_enrol(
                user=user, key=key, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            del request.session[PENDING_KEY]
            request.session[HAS_SECOND_FACTOR] = True
            otp_login(request, device)
            return _recovery_codes_page(request, codes, first=True)
    secret = b32encode(unhexlify(key)).decode("ascii")
    url = TOTPDevice(user=user, key=key).config_url
    return render(
        request,
        "accounts/second_factor/set_up.html",
        {
            "form": form,
            "qr_svg": _qr_svg(url),
            "secret": _grouped(secret),
            "required": role_requires_second_factor(user),
            "replacing": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@_signed_in_session_passed
def manage(request: HttpRequest) -> HttpResponse:
    """Your own second factor: what is set up, recovery codes left, passkeys."""
    return _manage_page(request, PasskeyForm())


def _manage_page(request: HttpRequest, passkey_form: PasskeyForm) -> HttpResponse:
    user = signed_in_user(request)
    ceremony = passkey_services.passkey_registration_options(user=user, site=_site(request))
    request.session[PASSKEY_REGISTER_CHALLENGE] = ceremony.challenge
    return render(
        request,
        "accounts/second_factor/manage.html",
        {
            "app": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
            "codes_left": services.recovery_codes_left(user),
            "required": role_requires_second_factor(user),
            "passkeys": list(Passkey.objects.filter(user=user)),
            "passkey_form": passkey_form,
            "passkey_options": json.loads(ceremony.options_json),
        },
    )


@_signed_in_session_passed
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = PasskeyForm(request.POST)
    if form.is_valid():
        try:
            passkey = passkey_services.passkey_register(
                user=user,
                name=form.cleaned_data["name"],
                credential=form.cleaned_data["credential"],
                challenge=request.session.pop(PASSKEY_REGISTER_CHALLENGE, None),
                site=_site(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session[HAS_SECOND_FACTOR] = True
            if not is_verified(request):
                otp_login(request, passkey)
            messages.success(request, f"Passkey '{passkey.name}' added.")
            return redirect("second_factor:manage")
    return _manage_page(request, form)


@_signed_in_session_passed
@require_POST
def passkey_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = signed_in_user(request)
    passkey = get_object_or_404(Passkey, public_id=public_id, user_id=user.pk)
    signed_in_with_it = request.session.get(DEVICE_ID_SESSION_KEY) == passkey.persistent_id
    passkey_services.passkey_remove(passkey=passkey)
    request.session[HAS_SECOND_FACTOR] = has_second_factor(user)
    if signed_in_with_it:
        # This session passed its second factor with the passkey: it stays passed, on the
        # strength of a factor the person still has (or none, if they have none left).
        other = next(iter(devices_for_user(user, confirmed=True)), None)
        if other is not None:
            otp_login(request, other)
    messages.success(request, f"Passkey '{passkey.name}' removed.")
    return redirect("second_factor:manage")


@_signed_in_session_passed
@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    try:
        codes = services.second_factor_recovery_codes_renew(user=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("second_factor:manage")
    return _recovery_codes_page(request, codes, first=False)


@administrators_only
def staff_second_factor_reset(request: StaffRequest, public_id: UUID) -> HttpResponse:
    staff = get_staff_member_for_user(request.user, public_id)
    form = SecondFactorResetForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_second_factor_reset(
                staff=staff, by=request.staff, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"{staff.name}'s second factor has been reset. They will set one up again "
                "when they next sign in.",
            )
            return redirect("accounts:staff_detail", public_id=staff.public_id)
    return form_page(
        request,
        form,
        title=f"Reset {staff.name}'s second factor?",
        caption="Staff",
        hint="Their authenticator app, passkeys and recovery codes stop working at once, and "
        "they are told by email. Check who is asking first (for example, call them back on a "
        "number the council holds): whoever has their password could sign in as them and set "
        "up their own.",
        button="Reset second factor",
        warning=True,
        back=reverse("accounts:staff_detail", args=[staff.public_id]),
    )
