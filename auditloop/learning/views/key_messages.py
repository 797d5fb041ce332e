"""Key messages: the list, compiling one, its page, editing the draft, the review (every
redaction highlighted), publishing, withdrawing and acknowledging."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff, roles_required
from auditloop.accounts.models import AUDITING_ROLES, Role
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.keptparts import part_kept, part_rendered
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.core.templatetags.govuk import govuk_error_summary
from auditloop.learning.access.key_message_roles import (
    edit_refusal,
    examples_drawn_blind,
    review_refusal,
    withdraw_refusal,
)
from auditloop.learning.access.key_messages import get_key_message_for_user
from auditloop.learning.forms.key_messages import (
    CompileForm,
    EditForm,
    ReasonForm,
    RedactMoreForm,
)
from auditloop.learning.models import KeyMessage, KeyMessageStatus
from auditloop.learning.redaction import redactor_for_database
from auditloop.learning.rules.key_messages import figures_context
from auditloop.learning.selectors.key_message_texts import (
    parts_redacted,
    text_digest,
    text_to_publish,
    withdrawn_reason_shown,
)
from auditloop.learning.selectors.key_messages import (
    acknowledgements_for,
    audits_drawn_from,
    key_messages_visible_to,
    recipient_row,
    scope_of,
)
from auditloop.learning.services.key_messages import (
    key_message_acknowledge,
    key_message_compile,
    key_message_publish,
    key_message_redaction_add,
    key_message_redaction_keep,
    key_message_redaction_restore,
    key_message_send_back,
    key_message_submit,
    key_message_update,
    key_message_withdraw,
)

PAGE_SIZE = 50
BRIEFING_URLS = ("learning:briefing_html", "learning:briefing_pdf", "learning:briefing_docx")


def _briefing_links(message: KeyMessage) -> list[tuple[str, str]]:
    """The one-page briefing's exports, where that part of the product is installed."""
    labels = ("Briefing (web page)", "Briefing (PDF)", "Briefing (Word)")
    links = []
    for name, label in zip(BRIEFING_URLS, labels, strict=True):
        try:
            links.append((label, reverse(name, kwargs={"public_id": message.public_id})))
        except NoReverseMatch:
            return []
    return links


@any_staff
def key_message_list(request: StaffRequest) -> HttpResponse:
    staff = request.staff

    def draw() -> str:
        page = page_of(request, key_messages_visible_to(staff), per_page=PAGE_SIZE)
        return part_rendered(
            "learning/key_messages/_list_table.html", {"page": page}, request=request
        )

    return render(
        request,
        "learning/key_messages/list.html",
        {
            "table": part_kept("key-messages-list", request=request, draw=draw),
            "can_compile": staff.role == Role.MODERATOR,
            "can_read_themes": staff.role in AUDITING_ROLES,
        },
    )


@roles_required(Role.MODERATOR)
def key_message_create(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    form = CompileForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            message = key_message_compile(by=staff, scope=form.scope_chosen())
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            # The examples were drawn from these audits' learning points (shown redacted).
            access_shown(
                user=request.user,
                targets=audits_drawn_from(message),
                purpose=Purpose.KEY_MESSAGE,
            )
            messages.success(request, "Key message compiled. Check and edit the draft.")
            return redirect("learning:key_message_detail", public_id=message.public_id)
    return render(
        request,
        "learning/key_messages/create.html",
        {"form": form, "error_summary": govuk_error_summary(form)},
    )


def _examples_read(request: StaffRequest, message: KeyMessage) -> None:
    """Log the reading of the audits a draft's (or one in review's) examples were drawn from,
    as compiling does. A published message's examples are exempt, as its other text is: they
    were reviewed, name no one and are the service's anonymised learning, read by everyone it
    was sent to."""
    if message.examples and message.status in (
        KeyMessageStatus.DRAFT,
        KeyMessageStatus.IN_REVIEW,
    ):
        access_shown(
            user=request.user, targets=audits_drawn_from(message), purpose=Purpose.KEY_MESSAGE
        )


def _detail(request: StaffRequest, message: KeyMessage, **extra: Any) -> HttpResponse:
    staff = request.staff
    readers_view = message.status in (KeyMessageStatus.PUBLISHED, KeyMessageStatus.WITHDRAWN)
    row = recipient_row(message, staff) if readers_view else None
    # Not one example for a reader moderating blind an audit they were drawn from.
    examples_withheld = examples_drawn_blind(staff, message)
    if not examples_withheld:
        _examples_read(request, message)
    context: dict[str, Any] = {
        "message": message,
        **figures_context(message.figures, scope=scope_of(message).label),
        "readers_view": readers_view,
        "recipient": row,
        "can_edit": not edit_refusal(staff, message),
        "can_review": message.status == KeyMessageStatus.IN_REVIEW
        and not review_refusal(staff, message),
        "can_withdraw": message.status == KeyMessageStatus.PUBLISHED
        and not withdraw_refusal(staff, message),
        "is_author": message.author_id == staff.pk,
        "acknowledgements": acknowledgements_for(message, staff) if readers_view else None,
        "briefing_links": _briefing_links(message),
        "examples_withheld": examples_withheld,
        "withdrawn_reason": withdrawn_reason_shown(message, redactor_for_database()),
        **extra,
    }
    return render(request, "learning/key_messages/detail.html", context)


@any_staff
def key_message_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    return _detail(request, get_key_message_for_user(request.user, public_id))


def _editable(request: StaffRequest, public_id: UUID) -> KeyMessage:
    message = get_key_message_for_user(request.user, public_id)
    if refusal := edit_refusal(request.staff, message):
        raise PermissionDenied(refusal)
    return message


@any_staff
def key_message_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    message = _editable(request, public_id)
    form = EditForm(request.POST or None, message=message)
    if request.method == "POST" and form.is_valid():
        try:
            key_message_update(
                key_message=message,
                by=request.staff,
                title=form.cleaned_data["title"],
                parts=form.parts(),
                examples=form.examples(),
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Draft saved.")
            return redirect("learning:key_message_detail", public_id=message.public_id)
    return render(
        request,
        "learning/key_messages/edit.html",
        {"message": message, "form": form, "error_summary": govuk_error_summary(form)},
    )


@any_staff
@require_POST
def key_message_submit_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    message = _editable(request, public_id)
    try:
        key_message_submit(key_message=message, by=request.staff)
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(request, "Sent for review. A second person will review and publish it.")
    return redirect("learning:key_message_detail", public_id=message.public_id)


def _review_page(
    request: StaffRequest,
    message: KeyMessage,
    *,
    redact_form: RedactMoreForm | None = None,
    send_back_form: ReasonForm | None = None,
    publish_error: str = "",
) -> HttpResponse:
    parts = parts_redacted(message, redactor_for_database())
    _examples_read(request, message)
    redact_form = redact_form or RedactMoreForm()
    send_back_form = send_back_form or ReasonForm(label="Why you are sending it back")
    return render(
        request,
        "learning/key_messages/review.html",
        {
            "message": message,
            "parts": parts,
            **figures_context(message.figures, scope=scope_of(message).label),
            "digest": text_digest(text_to_publish(parts)),
            "redact_form": redact_form,
            "send_back_form": send_back_form,
            "publish_error": publish_error,
            "error_summary": govuk_error_summary(redact_form, send_back_form),
        },
    )


@any_staff
def key_message_review(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The review: GET shows every part with its redactions highlighted; POST with `action`
    redacts more (`add`), undoes a redaction (`keep`), redacts again (`restore`), sends back
    (`send_back`) or publishes (`publish`)."""
    staff = request.staff
    message = get_key_message_for_user(request.user, public_id)
    if refusal := review_refusal(staff, message):
        # They may read it (the author, say): tell them why they cannot review it.
        messages.error(request, refusal)
        return redirect("learning:key_message_detail", public_id=message.public_id)
    if message.status != KeyMessageStatus.IN_REVIEW:
        messages.error(request, "This key message is not waiting for review.")
        return redirect("learning:key_message_detail", public_id=message.public_id)
    if request.method != "POST":
        return _review_page(request, message)
    action = request.POST.get("action", "")
    here = redirect("learning:key_message_review", public_id=message.public_id)
    try:
        if action == "add":
            form = RedactMoreForm(request.POST)
            if not form.is_valid():
                return _review_page(request, message, redact_form=form)
            try:
                key_message_redaction_add(
                    key_message=message,
                    by=staff,
                    text=form.cleaned_data["text"],
                    label=form.cleaned_data["label"],
                )
            except Refused as exc:
                refusal_to_form(form, exc)
                return _review_page(request, message, redact_form=form)
            messages.success(request, "Redacted wherever the words appear.")
            return here
        if action == "keep":
            key_message_redaction_keep(
                key_message=message,
                by=staff,
                text=request.POST.get("text", ""),
                label=request.POST.get("label", ""),
            )
            messages.success(request, "Redaction undone: those words are kept as written.")
            return here
        if action == "restore":
            key_message_redaction_restore(
                key_message=message, by=staff, text=request.POST.get("text", "")
            )
            messages.success(request, "Redacted again.")
            return here
        if action == "send_back":
            back = ReasonForm(request.POST, label="Why you are sending it back")
            if not back.is_valid():
                return _review_page(request, message, send_back_form=back)
            key_message_send_back(key_message=message, by=staff, reason=back.cleaned_data["reason"])
            messages.success(request, "Sent back to its author.")
            return redirect("learning:key_message_detail", public_id=message.public_id)
        if action == "publish":
            key_message_publish(key_message=message, by=staff, seen=request.POST.get("seen", ""))
            messages.success(
                request, "Published. Everyone it is for has been told, in auditloop and by email."
            )
            return redirect("learning:key_message_detail", public_id=message.public_id)
    except Refused as exc:
        message.refresh_from_db()
        return _review_page(request, message, publish_error=exc.message)
    messages.error(request, "Choose what to do.")
    return here


@any_staff
def key_message_withdraw_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    message = get_key_message_for_user(request.user, public_id)
    if refusal := withdraw_refusal(request.staff, message):
        raise PermissionDenied(refusal)
    form = ReasonForm(request.POST or None, label="Why it is withdrawn")
    if request.method == "POST" and form.is_valid():
        try:
            key_message_withdraw(
                key_message=message, by=request.staff, reason=form.cleaned_data["reason"]
            )
        except Refused as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "Key message withdrawn. Its readers see it marked so.")
            return redirect("learning:key_message_detail", public_id=message.public_id)
    return render(
        request,
        "learning/key_messages/withdraw.html",
        {"message": message, "form": form, "error_summary": govuk_error_summary(form)},
    )


@any_staff
@require_POST
def key_message_acknowledge_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    message = get_key_message_for_user(request.user, public_id)
    try:
        key_message_acknowledge(key_message=message, by=request.staff)
    except Refused as exc:
        refusal_to_message(request, exc)
    else:
        messages.success(request, "Thank you: you have confirmed that you have read it.")
    return redirect("learning:key_message_detail", public_id=message.public_id)


urlpatterns = [
    path("key-messages/", key_message_list, name="key_message_list"),
    path("key-messages/new/", key_message_create, name="key_message_create"),
    path("key-messages/<uuid:public_id>/", key_message_detail, name="key_message_detail"),
    path("key-messages/<uuid:public_id>/edit/", key_message_edit, name="key_message_edit"),
    path(
        "key-messages/<uuid:public_id>/submit/",
        key_message_submit_view,
        name="key_message_submit",
    ),
    path("key-messages/<uuid:public_id>/review/", key_message_review, name="key_message_review"),
    path(
        "key-messages/<uuid:public_id>/withdraw/",
        key_message_withdraw_view,
        name="key_message_withdraw",
    ),
    path(
        "key-messages/<uuid:public_id>/acknowledge/",
        key_message_acknowledge_view,
        name="key_message_acknowledge",
    ),
]
