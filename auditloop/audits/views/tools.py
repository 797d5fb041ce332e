"""Audit tools, their versions and grading scales.

Reading is for staff who audit, audit leads and administrators; changing is for audit leads
and administrators, and only ever in a tool's one draft version. Every change has one of two
shapes, each written once: a page with a form (`form_page`) or a button (`button`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.accounts.models import Role
from auditloop.audits.access.tools import (
    TOOL_READ_ROLES,
    can_change_tools,
    get_question,
    get_section,
    get_tool_for_user,
    get_tool_version_for_user,
)
from auditloop.audits.forms.family import FamilyQuestionsForm
from auditloop.audits.forms.tools import (
    MoveForm,
    PublishForm,
    QuestionForm,
    ScaleChangeForm,
    SectionForm,
    ToolCreateForm,
)
from auditloop.audits.models import ToolVersion
from auditloop.audits.selectors.scales import grading_scales_for_list
from auditloop.audits.selectors.tools import (
    tool_version_contents,
    tool_version_problems,
    tools_for_list,
)
from auditloop.audits.services import tools as services
from auditloop.audits.services.family import tool_version_family_change
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.core.versions import RecordChanged, form_version_renew

reads = roles_required(*(Role(r) for r in TOOL_READ_ROLES))
writes = roles_required(Role.MODERATOR, Role.ADMINISTRATOR)

# What a change returns when it is made: the success message ("" for none) and where to go.
Done = tuple[str, str]


def _version_url(version: ToolVersion) -> str:
    return reverse("audits:tool_version", kwargs={"public_id": version.public_id})


def form_page(
    request: HttpRequest,
    form: forms.Form,
    change: Callable[[dict[str, Any]], Done],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A page with a form: on a valid POST, make the change; a refusal goes on the form, and
    a change made says so and goes on. Otherwise (GET, or mistakes) the page again."""
    if request.method == "POST" and form.is_valid():
        try:
            message, to = change(form.cleaned_data)
        except RecordChanged as changed:
            form_version_renew(form, changed)
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, message)
            return redirect(to)
    return render(request, template, {"form": form, **context})


def button(request: HttpRequest, change: Callable[[], Done], *, refused_to: str) -> HttpResponse:
    """A button (a POST without a page): make the change, or say why not and go to
    `refused_to`."""
    try:
        message, to = change()
    except Refused as refused:
        refusal_to_message(request, refused)
        return redirect(refused_to)
    if message:
        messages.success(request, message)
    return redirect(to)


def _frozen(request: HttpRequest, version: ToolVersion) -> HttpResponse | None:
    """Send the lead back to a published version's page, saying why it cannot be changed."""
    if not version.is_published:
        return None
    messages.error(
        request,
        f"Version {version.number} is published and frozen: audits use it as it is. "
        "Create a new draft version to change the tool.",
    )
    return redirect(_version_url(version))


# ---- tools and versions ----------------------------------------------------------------------


@reads
def tool_list(request: StaffRequest) -> HttpResponse:
    return render(
        request,
        "audits/tool_list.html",
        {"tools": tools_for_list(request.staff), "can_change": can_change_tools(request.staff)},
    )


@writes
def tool_create(request: StaffRequest) -> HttpResponse:
    def change(data: dict[str, Any]) -> Done:
        tool = services.audit_tool_create(
            name=data["name"],
            kind=data["kind"],
            grading_scale=data["grading_scale"],
            description=data["description"],
            by=request.staff,
        )
        return f"{tool.name} created as draft version 1.", _version_url(tool.versions.get())

    form = ToolCreateForm(request.POST or None)
    return form_page(request, form, change, "audits/tools/tool_create.html", {})


@writes
@require_POST
def tool_draft_create(request: StaffRequest, public_id: UUID) -> HttpResponse:
    tool = get_tool_for_user(request.user, public_id, write=True)

    def change() -> Done:
        version = services.tool_version_draft_create(tool=tool, by=request.staff)
        done = f"Draft version {version.number} created from the current version."
        return done, _version_url(version)

    return button(request, change, refused_to=reverse("audits:tools"))


@reads
def tool_version(request: StaffRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id)
    sections, grades = tool_version_contents(version)
    can_change = can_change_tools(request.staff)
    versions = list(
        version.tool.versions.filter(is_published=True)
        if not can_change
        else version.tool.versions.all()
    )
    current = next((v for v in versions if v.is_published), None)
    return render(
        request,
        "audits/tools/version.html",
        {
            "version": version,
            "tool": version.tool,
            "sections": sections,
            "grades": grades,
            "question_count": sum(len(s.questions) for s in sections),
            "family_questions": version.family_questions.order_by("order"),
            "versions": versions,
            "current": current,
            "draft": next((v for v in versions if not v.is_published), None),
            "can_change": can_change,
            "editable": can_change and not version.is_published,
            "problems": tool_version_problems(version)
            if can_change and not version.is_published
            else [],
        },
    )


@writes
def tool_version_publish(request: StaffRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen

    def change(data: dict[str, Any]) -> Done:
        services.tool_version_publish(
            version=version,
            by=request.staff,
            change_note=data["change_note"],
            expected_version=data["version"],
        )
        done = (
            f"Version {version.number} of {version.tool.name} is published. New audits use "
            "it; audits already started keep the version they started on."
        )
        return done, _version_url(version)

    form = PublishForm(request.POST or None, initial={"version": version.version})
    context = {"version": version, "problems": tool_version_problems(version)}
    return form_page(request, form, change, "audits/tools/publish.html", context)


@writes
def tool_version_scale(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Change a draft's grading scale; warn, and ask to confirm, when the grade codes differ."""
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    form = ScaleChangeForm(
        request.POST or None,
        initial={"grading_scale": version.grading_scale_id, "version": version.version},
    )
    mismatch: list[str] = []
    if request.method == "POST" and form.is_valid():
        scale = form.cleaned_data["grading_scale"]
        old_codes = set(version.grading_scale.grades.values_list("code", flat=True))
        new_codes = set(scale.grades.values_list("code", flat=True))
        graded = version.sections.filter(questions__kind="graded").exists()
        if graded and old_codes != new_codes and not form.cleaned_data["confirm"]:
            mismatch = [g.label for g in scale.grades.order_by("-value") if g.code not in old_codes]
            form.add_error(
                "confirm",
                "The new scale's grades do not match the current ones. Confirm that you will "
                "enter the descriptors again for the new grades",
            )
        else:
            try:
                to_redo = services.tool_version_scale_change(
                    version=version,
                    grading_scale=scale,
                    by=request.staff,
                    expected_version=form.cleaned_data["version"],
                )
            except RecordChanged as changed:
                form_version_renew(form, changed)
                return _scale_page(request, version, form, mismatch)
            except Refused as refused:
                refusal_to_message(request, refused)
                return redirect(_version_url(version))
            if to_redo:
                messages.error(
                    request,
                    f"Now graded on {scale.name}. Enter the descriptors for the new grades in "
                    f"questions {', '.join(to_redo)} before publishing.",
                )
            else:
                messages.success(request, f"Now graded on {scale.name}.")
            return redirect(_version_url(version))
    return _scale_page(request, version, form, mismatch)


def _scale_page(
    request: HttpRequest, version: ToolVersion, form: ScaleChangeForm, mismatch: list[str]
) -> HttpResponse:
    scales = grading_scales_for_list()
    return render(
        request,
        "audits/tools/scale_change.html",
        {"version": version, "form": form, "scales": scales, "mismatch": mismatch},
    )


@writes
@require_POST
def tool_version_discard(request: StaffRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)

    def change() -> Done:
        services.tool_version_discard(version=version, by=request.staff)
        done = f"Draft version {version.number} of {version.tool.name} discarded."
        return done, reverse("audits:tools")

    return button(request, change, refused_to=_version_url(version))


@writes
def tool_version_family(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """When a draft asks the child's and family's view, and the questions it asks them."""
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    initial = FamilyQuestionsForm.initial_for(
        version.family_view_asked, list(version.family_questions.order_by("order"))
    )
    form = FamilyQuestionsForm(request.POST or None, initial=initial)

    def change(data: dict[str, Any]) -> Done:
        tool_version_family_change(
            version=version, asked=data["asked"], questions=form.drafts(), by=request.staff
        )
        return "The family's questions are saved.", _version_url(version) + "#family-questions"

    context = {"version": version}
    return form_page(request, form, change, "audits/tools/family_questions.html", context)


# ---- sections ---------------------------------------------------------------------------------


@writes
def section_add(request: StaffRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen

    def change(data: dict[str, Any]) -> Done:
        section = services.section_add(
            version=version,
            title=data["title"],
            by=request.staff,
            expected_version=data["version"],
        )
        return f"Section {section.title} added.", _version_url(version)

    form = SectionForm(request.POST or None, initial={"version": version.version})
    context = {"version": version, "adding": True}
    return form_page(request, form, change, "audits/tools/section_form.html", context)


@writes
def section_edit(request: StaffRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    section = get_section(version, number)

    def change(data: dict[str, Any]) -> Done:
        services.section_rename(
            section=section,
            title=data["title"],
            by=request.staff,
            expected_version=data["version"],
        )
        return f"Section renamed {section.title}.", _version_url(version)

    form = SectionForm(
        request.POST or None, initial={"title": section.title, "version": version.version}
    )
    context = {"version": version, "section": section, "adding": False}
    return form_page(request, form, change, "audits/tools/section_form.html", context)


@writes
@require_POST
def section_move(request: StaffRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    section = get_section(version, number)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return redirect(_version_url(version))

    def change() -> Done:
        direction = form.cleaned_data["direction"]
        services.section_move(section=section, direction=direction, by=request.staff)
        return "", _version_url(version)

    return button(request, change, refused_to=_version_url(version))


@writes
@require_POST
def section_remove(request: StaffRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    section = get_section(version, number)

    def change() -> Done:
        services.section_remove(section=section, by=request.staff)
        return f"Section {section.title} removed.", _version_url(version)

    return button(request, change, refused_to=_version_url(version))


# ---- questions --------------------------------------------------------------------------------


@writes
def question_add(request: StaffRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    section = get_section(version, number)
    grades = list(version.grading_scale.grades.order_by("-value"))
    form = QuestionForm(
        request.POST or None,
        initial={"version": version.version},
        version=version,
        grades=grades,
        adding=True,
    )

    def change(data: dict[str, Any]) -> Done:
        question = services.question_add(
            section=section,
            code=data["code"],
            text=data["text"],
            kind=data["kind"],
            basis=data["basis"],
            applies_to=data["applies_to"],
            guidance=data["guidance"],
            alert_on_no=data.get("alert_on_no", False),
            descriptors=form.descriptors(),
            by=request.staff,
            expected_version=data["version"],
        )
        return f"Question {question.code} added to {section.title}.", _version_url(version)

    context = {"version": version, "section": section, "adding": True}
    return form_page(request, form, change, "audits/tools/question_form.html", context)


@writes
def question_edit(request: StaffRequest, public_id: UUID, code: str) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    question = get_question(version, code)
    grades = list(version.grading_scale.grades.order_by("-value"))
    initial = {
        "text": question.text,
        "guidance": question.guidance,
        "basis": question.basis,
        "applies_to": question.applies_to,
        "alert_on_no": question.alert_on_no,
        "version": version.version,
    } | {f"descriptor_{k}": v for k, v in question.descriptors.items()}
    form = QuestionForm(
        request.POST or None, initial=initial, version=version, grades=grades, adding=False
    )
    if question.kind != "graded":
        for field in form.descriptor_fields():
            del form.fields[field.name]
    else:
        form.fields.pop("alert_on_no", None)

    def change(data: dict[str, Any]) -> Done:
        services.question_reword(
            question=question,
            text=data["text"],
            basis=data["basis"],
            applies_to=data["applies_to"],
            guidance=data["guidance"],
            alert_on_no=data.get("alert_on_no", False),
            descriptors=form.descriptors(),
            by=request.staff,
            expected_version=data["version"],
        )
        return f"Question {question.code} changed.", _version_url(version)

    context = {"version": version, "section": question.section, "question": question}
    return form_page(
        request, form, change, "audits/tools/question_form.html", context | {"adding": False}
    )


@writes
@require_POST
def question_move(request: StaffRequest, public_id: UUID, code: str) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    question = get_question(version, code)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return redirect(_version_url(version))

    def change() -> Done:
        direction = form.cleaned_data["direction"]
        services.question_move(question=question, direction=direction, by=request.staff)
        return "", _version_url(version)

    return button(request, change, refused_to=_version_url(version))


@writes
def question_retire(request: StaffRequest, public_id: UUID, code: str) -> HttpResponse:
    """Ask to confirm, then remove the question from the draft."""
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    question = get_question(version, code)
    if request.method != "POST":
        context = {"version": version, "question": question}
        return render(request, "audits/tools/question_retire.html", context)

    def change() -> Done:
        services.question_retire(question=question, by=request.staff)
        return f"Question {code} retired from version {version.number}.", _version_url(version)

    return button(request, change, refused_to=_version_url(version))


V = "tools/versions/<uuid:public_id>/"
urlpatterns = [
    path("tools/", tool_list, name="tools"),
    path("tools/new/", tool_create, name="tool_create"),
    path("tools/<uuid:public_id>/draft/", tool_draft_create, name="tool_draft_create"),
    path(V, tool_version, name="tool_version"),
    path(V + "publish/", tool_version_publish, name="tool_version_publish"),
    path(V + "scale/", tool_version_scale, name="tool_version_scale"),
    path(V + "discard/", tool_version_discard, name="tool_version_discard"),
    path(V + "family/", tool_version_family, name="tool_version_family"),
    path(V + "sections/new/", section_add, name="tool_section_add"),
    path(V + "sections/<int:number>/", section_edit, name="tool_section_edit"),
    path(V + "sections/<int:number>/move/", section_move, name="tool_section_move"),
    path(V + "sections/<int:number>/remove/", section_remove, name="tool_section_remove"),
    path(V + "sections/<int:number>/questions/new/", question_add, name="tool_question_add"),
    path(V + "questions/<slug:code>/", question_edit, name="tool_question_edit"),
    path(V + "questions/<slug:code>/move/", question_move, name="tool_question_move"),
    path(V + "questions/<slug:code>/retire/", question_retire, name="tool_question_retire"),
]
