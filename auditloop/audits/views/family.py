"""The child's and the family's view of an audit: reading it (whoever may read the audit),
the auditor's record of a contact, and the lead's online form links. The form the family
fills in is `views.family_form`: no sign-in, nothing about the case."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.audits.access.audits import get_audit_for_user
from auditloop.audits.access.family import (
    can_record_family_contact,
    can_send_family_form,
    get_family_contact_for_auditor,
    get_family_link_for_lead,
)
from auditloop.audits.forms.family import FamilyContactForm, FamilyLinkForm
from auditloop.audits.models import Audit, FamilyAnswer, FamilyLink
from auditloop.audits.rules import audit_asks_family
from auditloop.audits.services.family import (
    family_contact_record,
    family_contact_remove,
    family_link_create,
    family_link_withdraw,
)
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message


def _family_url(audit: Audit) -> str:
    return reverse("audits:family", kwargs={"public_id": audit.public_id})


def _link_state(link: FamilyLink, now: datetime.datetime) -> str:
    if link.used_at is not None:
        return "Answered"
    if link.withdrawn_at is not None:
        return "Withdrawn"
    if link.expires_at <= now:
        return "Expired"
    return "Waiting for an answer"


@any_staff
def family_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The contacts with the child and their family, and what they said."""
    audit = get_audit_for_user(request.user, public_id)
    contacts = (
        audit.family_contacts.select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=FamilyAnswer.objects.select_related("question").order_by(
                    "question__order"
                ),
            )
        )
        .order_by("recorded_at", "id")
    )
    sends = can_send_family_form(request.staff, audit)
    now = timezone.now()
    links = (
        [(link, _link_state(link, now)) for link in audit.family_links.order_by("-created_at")]
        if sends
        else []
    )
    return render(
        request,
        "audits/family/view.html",
        {
            "audit": audit,
            "asks_family": audit_asks_family(audit),
            "contacts": contacts,
            "can_record": can_record_family_contact(request.staff, audit),
            "can_send": sends,
            "links": links,
        },
    )


@any_staff
def family_contact_add(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The auditor records a contact with the child or a parent or carer."""
    audit = get_audit_for_user(request.user, public_id, write=True)
    if not can_record_family_contact(request.staff, audit):
        raise PermissionDenied("This audit's tool does not ask for the family's view.")
    questions = list(audit.tool_version.family_questions.order_by("order"))
    form = FamilyContactForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            family_contact_record(
                audit=audit,
                by=request.staff,
                respondent=data["respondent"],
                made=data["made"] == "yes",
                method=data["method"],
                not_made_reason=data["not_made_reason"],
                own_words=data["own_words"],
                replies=form.replies(),
                texts=form.texts(),
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Contact with the family recorded.")
            return redirect(_family_url(audit))
    return render(request, "audits/family/contact_form.html", {"audit": audit, "form": form})


@any_staff
@require_POST
def family_contact_remove_view(
    request: StaffRequest, public_id: UUID, contact_id: UUID
) -> HttpResponse:
    audit = get_audit_for_user(request.user, public_id, write=True)
    contact = get_family_contact_for_auditor(request.staff, audit, contact_id)
    try:
        family_contact_remove(contact=contact, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(request, "Contact removed.")
    return redirect(_family_url(audit))


@any_staff
def family_link_add(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The lead makes a link to the online family form. The link is shown on this one page,
    once: only a hash of it is kept."""
    audit = get_audit_for_user(request.user, public_id)
    if not can_send_family_form(request.staff, audit):
        raise PermissionDenied("Only the audit's lead can send the family an online form.")
    form = FamilyLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link, token = family_link_create(
                audit=audit, respondent=form.cleaned_data["respondent"], by=request.staff
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            response = render(
                request,
                "audits/family/link_made.html",
                {
                    "audit": audit,
                    "link": link,
                    "url": request.build_absolute_uri(
                        reverse("family_form:answer", kwargs={"token": token})
                    ),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "audits/family/link_form.html", {"audit": audit, "form": form})


@any_staff
@require_POST
def family_link_withdraw_view(
    request: StaffRequest, public_id: UUID, link_id: UUID
) -> HttpResponse:
    audit = get_audit_for_user(request.user, public_id)
    link = get_family_link_for_lead(request.staff, audit, link_id)
    try:
        family_link_withdraw(link=link, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(request, "Link withdrawn: it no longer opens the form.")
    return redirect(_family_url(audit))


urlpatterns = [
    path("<uuid:public_id>/family/", family_view, name="family"),
    path("<uuid:public_id>/family/record/", family_contact_add, name="family_contact_add"),
    path(
        "<uuid:public_id>/family/<uuid:contact_id>/remove/",
        family_contact_remove_view,
        name="family_contact_remove",
    ),
    path("<uuid:public_id>/family/online-form/", family_link_add, name="family_link_add"),
    path(
        "<uuid:public_id>/family/online-form/<uuid:link_id>/withdraw/",
        family_link_withdraw_view,
        name="family_link_withdraw",
    ),
]
