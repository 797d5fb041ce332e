"""A key message's one-page briefing: the HTML page (opens in the browser, prints on one side
of A4), the PDF and the Word document. Whoever may read the message may export it; each export
is recorded as an event."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.learning.access.key_message_roles import examples_drawn_blind
from auditloop.learning.access.key_messages import get_key_message_for_user
from auditloop.learning.rules.briefing import (
    WORD_CONTENT_TYPE,
    Briefing,
    briefing_docx,
    briefing_html,
    briefing_pdf,
)
from auditloop.learning.selectors.briefings import briefing_for_key_message
from auditloop.learning.selectors.key_messages import audits_drawn_from
from auditloop.learning.services.briefings import key_message_briefing_export


def _briefing(request: StaffRequest, public_id: UUID, export_format: str) -> Briefing:
    key_message = get_key_message_for_user(request.user, public_id)
    briefing = briefing_for_key_message(key_message, today=timezone.localdate())
    if examples_drawn_blind(request.staff, key_message):
        # Not one example for a reader moderating blind an audit they were drawn from.
        briefing = replace(briefing, examples=())
    elif briefing.draft and briefing.examples:
        # A draft's examples are read from the audits they were drawn from, as compiling logs.
        access_shown(
            user=request.user,
            targets=audits_drawn_from(key_message),
            purpose=Purpose.KEY_MESSAGE,
        )
    key_message_briefing_export(
        key_message=key_message, by=request.staff, export_format=export_format
    )
    return briefing


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@any_staff
def briefing_html_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    briefing = _briefing(request, public_id, "html")
    page = briefing_html(
        briefing,
        stylesheet_hrefs=[static("learning/briefing.css"), static("learning/briefing-screen.css")],
        pdf_href=reverse("learning:briefing_pdf", args=[public_id]),
        docx_href=reverse("learning:briefing_docx", args=[public_id]),
    )
    return HttpResponse(page)


@any_staff
def briefing_pdf_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    briefing = _briefing(request, public_id, "pdf")
    return _download(
        briefing_pdf(briefing),
        content_type="application/pdf",
        filename=f"{briefing.filename_stem}.pdf",
    )


@any_staff
def briefing_docx_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    briefing = _briefing(request, public_id, "docx")
    return _download(
        briefing_docx(briefing),
        content_type=WORD_CONTENT_TYPE,
        filename=f"{briefing.filename_stem}.docx",
    )


urlpatterns = [
    path(
        "key-messages/<uuid:public_id>/briefing/",
        briefing_html_view,
        name="briefing_html",
    ),
    path(
        "key-messages/<uuid:public_id>/briefing.pdf",
        briefing_pdf_view,
        name="briefing_pdf",
    ),
    path(
        "key-messages/<uuid:public_id>/briefing.docx",
        briefing_docx_view,
        name="briefing_docx",
    ),
]
