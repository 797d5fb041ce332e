"""Audit tools, their versions and grading scales.

Reading is for staff who audit, audit leads and administrators; changing is for audit leads
and administrators, and only ever in a tool's one draft version.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

from auditloop.accounts.access import roles_required, staff_for
from auditloop.accounts.models import Role
from auditloop.audits.forms_tools import (
    GradeForm,
    GradingScaleForm,
    MoveForm,
    PublishForm,
    QuestionForm,
    ScaleChangeForm,
    SectionForm,
    ToolCreateForm,
)
from auditloop.audits.models import Grade, GradingScale, ToolVersion
from auditloop.audits.selectors_tools import (
    TOOL_READ_ROLES,
    can_change_tools,
    get_grading_scale_for_user,
    get_question,
    get_section,
    get_tool_for_user,
    get_tool_version_for_user,
    grading_scales_for_list,
    tool_version_contents,
    tools_for_list,
)
from auditloop.audits.services import tools as services
from auditloop.audits.services.tools import ToolChangeError, scale_in_use

reads = roles_required(*(Role(r) for r in TOOL_READ_ROLES))
writes = roles_required(Role.MODERATOR, Role.ADMINISTRATOR)


def _version_url(version: ToolVersion) -> HttpResponseRedirect:
    return redirect("audits:tool_version", public_id=version.public_id)


def _refused(request: HttpRequest, version: ToolVersion, exc: ToolChangeError) -> HttpResponse:
    for message in exc.messages:
        messages.error(request, message)
    return _version_url(version)


def _frozen(request: HttpRequest, version: ToolVersion) -> HttpResponse | None:
    """Send the lead back to a published version's page, saying why it cannot be changed."""
    if not version.is_published:
        return None
    messages.error(
        request,
        f"Version {version.number} is published and frozen: audits use it as it is. "
        "Create a new draft version to change the tool.",
    )
    return _version_url(version)


# ---- tools and versions ----------------------------------------------------------------------


@reads
def tool_list(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    return render(
        request,
        "audits/tool_list.html",
        {"tools": tools_for_list(staff), "can_change": can_change_tools(staff)},
    )


@writes
def tool_create(request: HttpRequest) -> HttpResponse:
    form = ToolCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tool = services.audit_tool_create(
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                grading_scale=form.cleaned_data["grading_scale"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{tool.name} created as draft version 1.")
            version = tool.versions.get()
            return _version_url(version)
    return render(request, "audits/tools/tool_create.html", {"form": form})


@writes
@require_POST
def tool_draft_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    tool = get_tool_for_user(request.user, public_id, write=True)
    try:
        version = services.tool_version_draft_create(tool=tool, by=request.user)
    except ToolChangeError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("audits:tools")
    messages.success(request, f"Draft version {version.number} created from the current version.")
    return _version_url(version)


@reads
def tool_version(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id)
    staff = staff_for(request.user)
    sections, grades = tool_version_contents(version)
    can_change = can_change_tools(staff)
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
            "versions": versions,
            "current": current,
            "draft": next((v for v in versions if not v.is_published), None),
            "can_change": can_change,
            "editable": can_change and not version.is_published,
            "problems": services.tool_version_problems(version)
            if can_change and not version.is_published
            else [],
        },
    )


@writes
def tool_version_publish(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.tool_version_publish(
                version=version, by=request.user, change_note=form.cleaned_data["change_note"]
            )
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Version {version.number} of {version.tool.name} is published. New audits use "
                "it; audits already started keep the version they started on.",
            )
            return _version_url(version)
    return render(
        request,
        "audits/tools/publish.html",
        {
            "version": version,
            "form": form,
            "problems": services.tool_version_problems(version),
        },
    )


@writes
def tool_version_scale(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Change a draft's grading scale; warn, and ask to confirm, when the grade codes differ."""
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    form = ScaleChangeForm(
        request.POST or None, initial={"grading_scale": version.grading_scale_id}
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
                    version=version, grading_scale=scale, by=request.user
                )
            except ToolChangeError as exc:
                return _refused(request, version, exc)
            if to_redo:
                messages.error(
                    request,
                    f"Now graded on {scale.name}. Enter the descriptors for the new grades in "
                    f"questions {', '.join(to_redo)} before publishing.",
                )
            else:
                messages.success(request, f"Now graded on {scale.name}.")
            return _version_url(version)
    scales = grading_scales_for_list()
    return render(
        request,
        "audits/tools/scale_change.html",
        {"version": version, "form": form, "scales": scales, "mismatch": mismatch},
    )


@writes
@require_POST
def tool_version_discard(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    try:
        services.tool_version_discard(version=version, by=request.user)
    except ToolChangeError as exc:
        return _refused(request, version, exc)
    messages.success(request, f"Draft version {version.number} of {version.tool.name} discarded.")
    return redirect("audits:tools")


# ---- sections ---------------------------------------------------------------------------------


@writes
def section_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            section = services.section_add(
                version=version, title=form.cleaned_data["title"], by=request.user
            )
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Section {section.title} added.")
            return _version_url(version)
    return render(
        request,
        "audits/tools/section_form.html",
        {"version": version, "form": form, "adding": True},
    )


@writes
def section_edit(request: HttpRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    section = get_section(version, number)
    form = SectionForm(request.POST or None, initial={"title": section.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.section_rename(
                section=section, title=form.cleaned_data["title"], by=request.user
            )
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Section renamed {section.title}.")
            return _version_url(version)
    return render(
        request,
        "audits/tools/section_form.html",
        {"version": version, "form": form, "section": section, "adding": False},
    )


@writes
@require_POST
def section_move(request: HttpRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    section = get_section(version, number)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.section_move(
                section=section, direction=form.cleaned_data["direction"], by=request.user
            )
        except ToolChangeError as exc:
            return _refused(request, version, exc)
    return _version_url(version)


@writes
@require_POST
def section_remove(request: HttpRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    section = get_section(version, number)
    try:
        services.section_remove(section=section, by=request.user)
    except ToolChangeError as exc:
        return _refused(request, version, exc)
    messages.success(request, f"Section {section.title} removed.")
    return _version_url(version)


# ---- questions --------------------------------------------------------------------------------


@writes
def question_add(request: HttpRequest, public_id: UUID, number: int) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    section = get_section(version, number)
    grades = list(version.grading_scale.grades.order_by("-value"))
    form = QuestionForm(request.POST or None, version=version, grades=grades, adding=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
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
                by=request.user,
            )
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Question {question.code} added to {section.title}.")
            return _version_url(version)
    return render(
        request,
        "audits/tools/question_form.html",
        {"version": version, "section": section, "form": form, "adding": True},
    )


@writes
def question_edit(request: HttpRequest, public_id: UUID, code: str) -> HttpResponse:
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
    } | {f"descriptor_{k}": v for k, v in question.descriptors.items()}
    form = QuestionForm(
        request.POST or None, initial=initial, version=version, grades=grades, adding=False
    )
    if question.kind != "graded":
        for field in form.descriptor_fields():
            del form.fields[field.name]
    else:
        form.fields.pop("alert_on_no", None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.question_reword(
                question=question,
                text=data["text"],
                basis=data["basis"],
                applies_to=data["applies_to"],
                guidance=data["guidance"],
                alert_on_no=data.get("alert_on_no", False),
                descriptors=form.descriptors(),
                by=request.user,
            )
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Question {question.code} changed.")
            return _version_url(version)
    return render(
        request,
        "audits/tools/question_form.html",
        {
            "version": version,
            "section": question.section,
            "question": question,
            "form": form,
            "adding": False,
        },
    )


@writes
@require_POST
def question_move(request: HttpRequest, public_id: UUID, code: str) -> HttpResponse:
    version = get_tool_version_for_user(request.user, public_id, write=True)
    question = get_question(version, code)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.question_move(
                question=question, direction=form.cleaned_data["direction"], by=request.user
            )
        except ToolChangeError as exc:
            return _refused(request, version, exc)
    return _version_url(version)


@writes
def question_retire(request: HttpRequest, public_id: UUID, code: str) -> HttpResponse:
    """Ask to confirm, then remove the question from the draft."""
    version = get_tool_version_for_user(request.user, public_id, write=True)
    if (frozen := _frozen(request, version)) is not None:
        return frozen
    question = get_question(version, code)
    if request.method == "POST":
        try:
            services.question_retire(question=question, by=request.user)
        except ToolChangeError as exc:
            return _refused(request, version, exc)
        messages.success(request, f"Question {code} retired from version {version.number}.")
        return _version_url(version)
    return render(
        request, "audits/tools/question_retire.html", {"version": version, "question": question}
    )


# ---- grading scales ---------------------------------------------------------------------------


@reads
def grading_scales(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.user)
    return render(
        request,
        "audits/tools/scale_list.html",
        {"scales": grading_scales_for_list(), "can_change": can_change_tools(staff)},
    )


@writes
def grading_scale_create(request: HttpRequest) -> HttpResponse:
    form = GradingScaleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scale = services.grading_scale_create(name=form.cleaned_data["name"], by=request.user)
        except ToolChangeError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{scale.name} created. Now add its grades.")
            return redirect("audits:grading_scale", public_id=scale.public_id)
    return render(request, "audits/tools/scale_create.html", {"form": form})


def _scale_page(request: HttpRequest, scale: GradingScale, form: GradeForm | None) -> HttpResponse:
    frozen = scale_in_use(scale)
    can_change = can_change_tools(staff_for(request.user))
    editable = can_change and not frozen
    versions = ToolVersion.objects.filter(grading_scale=scale).select_related("tool")
    if not can_change:
        versions = versions.filter(is_published=True)
    return render(
        request,
        "audits/tools/scale.html",
        {
            "scale": scale,
            "grades": scale.grades.order_by("-value"),
            "frozen": frozen,
            "editable": editable,
            "form": (form or GradeForm()) if editable else None,
            "versions": versions.order_by("tool__name", "-number"),
        },
    )


@reads
@require_GET
def grading_scale(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A scale's grades; while no published version uses it, a lead adds grades here."""
    scale = get_grading_scale_for_user(request.user, public_id)
    return _scale_page(request, scale, None)


@writes
@require_POST
def grade_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    scale = get_grading_scale_for_user(request.user, public_id, write=True)
    form = GradeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            grade = services.grade_add(
                scale=scale,
                code=data["code"],
                label=data["label"],
                value=data["value"],
                is_inadequate=data["is_inadequate"],
                description=data["description"],
                by=request.user,
            )
        except ToolChangeError as exc:
            if scale_in_use(scale):
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("audits:grading_scale", public_id=scale.public_id)
            form.add_error(None, exc)
        else:
            messages.success(request, f"Grade {grade.label} added.")
            return redirect("audits:grading_scale", public_id=scale.public_id)
    return _scale_page(request, scale, form)


@writes
@require_POST
def grade_remove(request: HttpRequest, public_id: UUID, code: str) -> HttpResponse:
    scale = get_grading_scale_for_user(request.user, public_id, write=True)
    try:
        grade = scale.grades.get(code=code)
    except Grade.DoesNotExist:
        messages.error(request, f"{scale.name} has no grade {code}.")
    else:
        try:
            services.grade_remove(grade=grade, by=request.user)
        except ToolChangeError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Grade {grade.label} removed.")
    return redirect("audits:grading_scale", public_id=scale.public_id)


V = "tools/versions/<uuid:public_id>/"
urlpatterns = [
    path("tools/", tool_list, name="tools"),
    path("tools/new/", tool_create, name="tool_create"),
    path("tools/<uuid:public_id>/draft/", tool_draft_create, name="tool_draft_create"),
    path(V, tool_version, name="tool_version"),
    path(V + "publish/", tool_version_publish, name="tool_version_publish"),
    path(V + "scale/", tool_version_scale, name="tool_version_scale"),
    path(V + "discard/", tool_version_discard, name="tool_version_discard"),
    path(V + "sections/new/", section_add, name="tool_section_add"),
    path(V + "sections/<int:number>/", section_edit, name="tool_section_edit"),
    path(V + "sections/<int:number>/move/", section_move, name="tool_section_move"),
    path(V + "sections/<int:number>/remove/", section_remove, name="tool_section_remove"),
    path(V + "sections/<int:number>/questions/new/", question_add, name="tool_question_add"),
    path(V + "questions/<slug:code>/", question_edit, name="tool_question_edit"),
    path(V + "questions/<slug:code>/move/", question_move, name="tool_question_move"),
    path(V + "questions/<slug:code>/retire/", question_retire, name="tool_question_retire"),
    path("tools/scales/", grading_scales, name="grading_scales"),
    path("tools/scales/new/", grading_scale_create, name="grading_scale_create"),
    path("tools/scales/<uuid:public_id>/", grading_scale, name="grading_scale"),
    path("tools/scales/<uuid:public_id>/grades/new/", grade_add, name="grade_add"),
    path(
        "tools/scales/<uuid:public_id>/grades/<slug:code>/remove/",
        grade_remove,
        name="grade_remove",
    ),
]
