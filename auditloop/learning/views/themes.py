"""The theme list (read by every auditing role, kept by the audit leads) and the theme
suggestions the audit leads accept or reject."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, auditing_roles_required, roles_required
from auditloop.accounts.models import Role
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.learning.access.suggestions import get_theme_suggestion_for_user
from auditloop.learning.access.themes import can_keep_themes, get_theme_for_user
from auditloop.learning.forms.themes import SuggestionAcceptForm, ThemeForm
from auditloop.learning.models import Theme, ThemeSuggestion, ThemeSuggestionStatus
from auditloop.learning.redaction import redactor_for_database
from auditloop.learning.selectors.suggestions import (
    DECIDED_SHOWN,
    SuggestionShown,
    suggestions_shown,
    theme_suggestions_for,
    untagged_points_for,
)
from auditloop.learning.services.suggestions import (
    theme_suggestion_accept,
    theme_suggestion_reject,
    theme_suggestions_generate,
)
from auditloop.learning.services.themes import (
    theme_create,
    theme_restore,
    theme_retire,
    theme_update,
)


@auditing_roles_required
def theme_list(request: StaffRequest) -> HttpResponse:
    """Every theme, those offered first, each with how many learning points carry it."""
    themes = list(
        Theme.objects.annotate(points=Count("learning_points", distinct=True)).order_by(
            "-is_active", "name"
        )
    )
    return render(
        request,
        "learning/themes/list.html",
        {
            "active": [t for t in themes if t.is_active],
            "retired": [t for t in themes if not t.is_active],
            "can_keep": can_keep_themes(request.staff),
        },
    )


@roles_required(Role.MODERATOR)
def theme_add(request: StaffRequest) -> HttpResponse:
    form = ThemeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = theme_create(
                by=request.staff,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, f"{theme.name} added to the theme list.")
            return redirect("learning:themes")
    return render(request, "learning/themes/form.html", {"form": form, "theme": None})


@roles_required(Role.MODERATOR)
def theme_edit(request: StaffRequest, public_id: UUID) -> HttpResponse:
    theme = get_theme_for_user(request.user, public_id)
    initial = {"name": theme.name, "description": theme.description}
    form = ThemeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            theme_update(
                theme=theme,
                by=request.staff,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, f"{theme.name} saved.")
            return redirect("learning:themes")
    return render(request, "learning/themes/form.html", {"form": form, "theme": theme})


@require_POST
@roles_required(Role.MODERATOR)
def theme_retire_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    theme = get_theme_for_user(request.user, public_id)
    try:
        theme_retire(theme=theme, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(
            request,
            f"{theme.name} retired: it stays on the learning points that have it, and is no "
            "longer offered.",
        )
    return redirect("learning:themes")


@require_POST
@roles_required(Role.MODERATOR)
def theme_restore_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    theme = get_theme_for_user(request.user, public_id)
    try:
        theme_restore(theme=theme, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(request, f"{theme.name} is offered again.")
    return redirect("learning:themes")


@roles_required(Role.MODERATOR)
def suggestion_list(request: StaffRequest) -> HttpResponse:
    """The open suggestions, each with its words, its number of notes and a few of them
    (redacted), and the latest decided."""
    staff = request.staff
    redactor = redactor_for_database()
    proposed = suggestions_shown(theme_suggestions_for(staff), redactor)
    _samples_read(request, proposed)
    decided = list(
        theme_suggestions_for(staff, status=ThemeSuggestionStatus.ACCEPTED)[:DECIDED_SHOWN]
    ) + list(theme_suggestions_for(staff, status=ThemeSuggestionStatus.REJECTED)[:DECIDED_SHOWN])
    decided.sort(key=lambda s: (s.decided_at is None, s.decided_at), reverse=True)
    context: dict[str, Any] = {
        "proposed": proposed,
        "decided": decided[:DECIDED_SHOWN],
        "untagged": untagged_points_for(staff).count(),
    }
    return render(request, "learning/suggestions/list.html", context)


@require_POST
@roles_required(Role.MODERATOR)
def suggestion_generate(request: StaffRequest) -> HttpResponse:
    try:
        made = theme_suggestions_generate(by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        if made:
            messages.success(
                request,
                f"{len(made)} theme suggestion{'s' if len(made) != 1 else ''} made from the "
                "untagged learning points.",
            )
        else:
            messages.info(
                request,
                "No new suggestions: no untagged learning points read alike, other than any "
                "you have rejected.",
            )
    return redirect("learning:suggestions")


def _samples_read(request: StaffRequest, shown: list[SuggestionShown]) -> None:
    """Log the reading of the audits the samples shown were drawn from."""
    access_shown(
        user=request.user,
        targets={a.pk: a for s in shown for a in s.sampled_audits}.values(),
        purpose=Purpose.THEME_SUGGESTION,
    )


def _render_suggestion(
    request: StaffRequest, suggestion: ThemeSuggestion, form: SuggestionAcceptForm | None
) -> HttpResponse:
    [shown] = suggestions_shown(
        theme_suggestions_for(
            request.staff, status=ThemeSuggestionStatus(suggestion.status)
        ).filter(pk=suggestion.pk),
        redactor_for_database(),
    )
    _samples_read(request, [shown])
    if form is None and suggestion.theme_id is None:
        form = SuggestionAcceptForm(initial={"label": suggestion.label})
    return render(
        request,
        "learning/suggestions/detail.html",
        {"shown": shown, "suggestion": shown.suggestion, "form": form},
    )


@roles_required(Role.MODERATOR)
def suggestion_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    suggestion = get_theme_suggestion_for_user(request.user, public_id)
    return _render_suggestion(request, suggestion, None)


@require_POST
@roles_required(Role.MODERATOR)
def suggestion_accept(request: StaffRequest, public_id: UUID) -> HttpResponse:
    suggestion = get_theme_suggestion_for_user(request.user, public_id)
    form: SuggestionAcceptForm | None = None
    label: str | None = None
    if suggestion.theme_id is None:
        form = SuggestionAcceptForm(request.POST)
        if not form.is_valid():
            return _render_suggestion(request, suggestion, form)
        label = form.cleaned_data["label"]
    try:
        theme = theme_suggestion_accept(suggestion=suggestion, by=request.staff, label=label)
    except Refused as refused:
        if form is None:
            refusal_to_message(request, refused)
            return redirect("learning:suggestion_detail", public_id=suggestion.public_id)
        refusal_to_form(form, refused)
        return _render_suggestion(request, suggestion, form)
    messages.success(request, f"Learning points tagged with the theme {theme.name}.")
    return redirect("learning:suggestions")


@require_POST
@roles_required(Role.MODERATOR)
def suggestion_reject(request: StaffRequest, public_id: UUID) -> HttpResponse:
    suggestion = get_theme_suggestion_for_user(request.user, public_id)
    try:
        theme_suggestion_reject(suggestion=suggestion, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
        return redirect("learning:suggestion_detail", public_id=suggestion.public_id)
    messages.success(
        request, "Suggestion rejected: these notes will not be suggested together again."
    )
    return redirect("learning:suggestions")


urlpatterns = [
    path("themes/", theme_list, name="themes"),
    path("themes/add/", theme_add, name="theme_add"),
    path("themes/suggestions/", suggestion_list, name="suggestions"),
    path("themes/suggestions/generate/", suggestion_generate, name="suggestions_generate"),
    path("themes/suggestions/<uuid:public_id>/", suggestion_detail, name="suggestion_detail"),
    path(
        "themes/suggestions/<uuid:public_id>/accept/", suggestion_accept, name="suggestion_accept"
    ),
    path(
        "themes/suggestions/<uuid:public_id>/reject/", suggestion_reject, name="suggestion_reject"
    ),
    path("themes/<uuid:public_id>/edit/", theme_edit, name="theme_edit"),
    path("themes/<uuid:public_id>/retire/", theme_retire_view, name="theme_retire"),
    path("themes/<uuid:public_id>/restore/", theme_restore_view, name="theme_restore"),
]
