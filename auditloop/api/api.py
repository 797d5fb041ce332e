"""The read-only JSON API, for BI tools and councils' own reports. OpenAPI at /api/v1/openapi.json.

Every endpoint answers as the person behind the token (or session): the same scoped
selectors as the pages, the same access log for every audit read.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.security import HttpBearer, django_auth

from auditloop.accounts.models import StaffMember
from auditloop.api.models import ApiToken
from auditloop.api.services import key_digest
from auditloop.audits.access import get_audit_for_user
from auditloop.audits.models import Action, Answer, Audit, AuditTool, ToolVersion
from auditloop.audits.selectors import audits_visible_to
from auditloop.core.accesslog import Purpose, access_shown


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user__staff")
            .filter(key_digest=key_digest(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="auditloop API",
    version="1",
    description=(
        "Read-only access to audits, actions and audit tools, scoped to the person the token "
        "belongs to. Send `Authorization: Bearer <token>`; make a token on the API tokens page."
    ),
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
    docs_decorator=login_required,
)


class IndexOut(Schema):
    audits: str
    actions: str
    tools: str
    schema_url: str


@api.get("/", response=IndexOut, summary="Where each collection is")
def index(request: HttpRequest) -> dict[str, str]:
    root = request.path.rstrip("/")
    return {
        "audits": f"{root}/audits",
        "actions": f"{root}/actions",
        "tools": f"{root}/tools",
        "schema_url": f"{root}/openapi.json",
    }


def _staff(request: HttpRequest) -> StaffMember:
    staff = getattr(request.user, "staff", None)
    if not isinstance(staff, StaffMember) or not staff.is_active:
        raise Http404("No staff record for this login.")
    return staff


class Page(Schema):
    limit: int = 100
    # A negative offset would reach the database as negative indexing and fail there.
    offset: int = Field(0, ge=0)


class AuditFilters(Page):
    status: str | None = None
    audit_type: str | None = None
    submitted_since: datetime.date | None = None


class AuditOut(Schema):
    id: uuid.UUID
    audit_type: str
    status: str
    tool: str
    tool_version: int
    cohort: str
    case_id: uuid.UUID
    service: str | None
    team: str | None
    auditor: str
    overall_grade: str | None
    overall_grade_value: int | None
    due_date: datetime.date | None
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    completed_at: datetime.datetime | None


class AnswerOut(Schema):
    question: str
    kind: str
    compliance: str | None
    grade: str | None
    grade_value: int | None


class AuditDetailOut(AuditOut):
    answers: list[AnswerOut]


class AuditPage(Schema):
    count: int
    items: list[AuditOut]


def _audit_out(audit: Audit) -> dict[str, Any]:
    team = audit.team
    grade = audit.overall_grade
    return {
        "id": audit.public_id,
        "audit_type": audit.audit_type,
        "status": audit.status,
        "tool": audit.tool_version.tool.name,
        "tool_version": audit.tool_version.number,
        "cohort": audit.case.cohort,
        "case_id": audit.case.public_id,
        "service": team.service.name if team else None,
        "team": team.name if team else None,
        "auditor": audit.auditor.name,
        "overall_grade": grade.code if grade else None,
        "overall_grade_value": grade.value if grade else None,
        "due_date": audit.due_date,
        "created_at": audit.created_at,
        "submitted_at": audit.submitted_at,
        "completed_at": audit.completed_at,
    }


@api.get("/audits", response=AuditPage, summary="Audits you may see, newest first")
def list_audits(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    staff = _staff(request)
    audits = audits_visible_to(staff).select_related("team__service")
    if filters.status:
        audits = audits.filter(status=filters.status)
    if filters.audit_type:
        audits = audits.filter(audit_type=filters.audit_type)
    if filters.submitted_since:
        audits = audits.filter(submitted_at__date__gte=filters.submitted_since)
    limit = max(1, min(filters.limit, 500))
    page = list(audits.order_by("-created_at", "-id")[filters.offset : filters.offset + limit])
    # A list of audits is a read of each of them.
    access_shown(user=request.user, targets=page, purpose=Purpose.API)
    return {"count": audits.count(), "items": [_audit_out(a) for a in page]}


@api.get("/audits/{audit_id}", response=AuditDetailOut, summary="One audit with its answers")
def get_audit(request: HttpRequest, audit_id: uuid.UUID) -> dict[str, Any]:
    audit = get_audit_for_user(request.user, audit_id)
    answers = Answer.objects.filter(audit=audit).select_related("question", "grade")
    out = _audit_out(audit)
    out["answers"] = [
        {
            "question": a.question.code,
            "kind": a.question.kind,
            "compliance": a.compliance or None,
            "grade": a.grade.code if a.grade else None,
            "grade_value": a.grade.value if a.grade else None,
        }
        for a in answers.order_by("question__section__order", "question__order")
    ]
    return out


class ActionFilters(Page):
    status: str | None = None
    overdue: bool = False


class ActionOut(Schema):
    id: uuid.UUID
    audit_id: uuid.UUID
    owner: str
    due_date: datetime.date
    status: str
    completed_at: datetime.datetime | None


@api.get("/actions", response=list[ActionOut], summary="Actions you own or can see")
def list_actions(request: HttpRequest, filters: Query[ActionFilters]) -> list[dict[str, Any]]:
    staff = _staff(request)
    visible = audits_visible_to(staff).values("pk")
    actions = Action.objects.filter(Q(owner=staff) | Q(audit__in=visible)).select_related(
        "owner", "audit"
    )
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.overdue:
        actions = actions.filter(status="open", due_date__lt=timezone.localdate())
    limit = max(1, min(filters.limit, 500))
    page = list(actions.order_by("due_date", "id")[filters.offset : filters.offset + limit])
    # An action is about its audit's child, as on the pages: a read of each audit.
    access_shown(user=request.user, targets=[a.audit for a in page], purpose=Purpose.API)
    return [
        {
            "id": a.public_id,
            "audit_id": a.audit.public_id,
            "owner": a.owner.name,
            "due_date": a.due_date,
            "status": a.status,
            "completed_at": a.completed_at,
        }
        for a in page
    ]


class QuestionOut(Schema):
    code: str
    section: str
    text: str
    kind: str
    descriptors: dict[str, str]


class VersionOut(Schema):
    number: int
    is_published: bool
    grading_scale: str
    questions: list[QuestionOut]


class ToolOut(Schema):
    slug: str
    name: str
    kind: str
    versions: list[VersionOut]


@api.get("/tools", response=list[ToolOut], summary="Audit tools with every version's questions")
def list_tools(request: HttpRequest) -> list[dict[str, Any]]:
    _staff(request)
    versions = ToolVersion.objects.select_related("grading_scale").prefetch_related(
        "sections__questions"
    )
    tools = AuditTool.objects.prefetch_related(Prefetch("versions", queryset=versions))
    return [
        {
            "slug": t.slug,
            "name": t.name,
            "kind": t.kind,
            "versions": [
                {
                    "number": v.number,
                    "is_published": v.is_published,
                    "grading_scale": v.grading_scale.slug,
                    "questions": [
                        {
                            "code": q.code,
                            "section": s.title,
                            "text": q.text,
                            "kind": q.kind,
                            "descriptors": q.descriptors,
                        }
                        for s in v.sections.all()
                        for q in s.questions.all()
                    ],
                }
                for v in t.versions.all()
            ],
        }
        for t in tools
    ]
