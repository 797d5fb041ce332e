"""The online family form: a child or their parent or carer answers the tool's family
questions through a single-use link, without signing in.

The page names the council and asks the questions: nothing about the case, the child, the
audit or anyone who worked with them. A link that is unknown, used, withdrawn or expired gets
one plain page, the same for each, so that nobody holding a link learns more than that it
does not work; an address that tries too often is told to try later. Every use is logged
(`FamilyLinkUse`), no page here is cached, and none sends the link to another site.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_protect

from auditloop.audits.forms.family import FamilyFormAnswers
from auditloop.audits.models import FamilyLinkOutcome, Respondent
from auditloop.audits.services.family import client_key, family_form_open, family_form_submit
from auditloop.core.access import public
from auditloop.core.refusals import refusal_to_form
from auditloop.core.signin import client_ip

app_name = "family_form"


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    response = render(
        request, template, {"council_name": settings.COUNCIL_NAME, **context}, status=status
    )
    response["Cache-Control"] = "no-store"
    # Same origin only: the page links nowhere else, and "no-referrer" would make the browser
    # send its answers with a null Origin, which the CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    # Django would log a 404 or 429 with its path, which holds the link: each use is logged
    # in `FamilyLinkUse` instead, without it.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@public
@csrf_protect
def family_form(request: HttpRequest, token: str) -> HttpResponse:
    client = client_key(client_ip(request))
    opened = family_form_open(token=token, client=client)
    if opened.outcome == FamilyLinkOutcome.TOO_MANY:
        return _page(request, "audits/family/form_busy.html", {}, status=429)
    link = opened.link
    if link is None:
        return _page(request, "audits/family/form_gone.html", {}, status=404)
    questions = list(link.audit.tool_version.family_questions.order_by("order"))
    form = FamilyFormAnswers(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        sent = family_form_submit(
            link=link,
            client=client,
            replies=form.replies(),
            texts=form.texts(),
            own_words=form.cleaned_data["own_words"],
        )
        if sent.contact is not None:
            return _page(request, "audits/family/form_thanks.html", {})
        if sent.problem is None:
            return _page(request, "audits/family/form_gone.html", {}, status=404)
        refusal_to_form(form, sent.problem)
    return _page(
        request,
        "audits/family/form.html",
        {"form": form, "for_child": link.respondent == Respondent.CHILD},
    )


urlpatterns = [path("<str:token>/", family_form, name="answer")]
