"""The read-only JSON API, for BI tools and councils' own reports. OpenAPI at /api/v1/openapi.json.

Every endpoint answers as the person behind the token (or session), through the same scoped
selectors and get-for-user helpers as the pages, so it can list nothing a page would refuse;
every audit it returns is recorded in the access log.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.security import HttpBearer, SessionAuth
from pydantic import field_validator

from auditloop.accounts.access import StaffRequest, staff_for
from auditloop.api.aggregates import router as aggregates
from auditloop.api.schemas import REFUSALS, REFUSALS_OR_NOT_FOUND, SIGNED_IN
from auditloop.api.selectors import api_token_for_key
from auditloop.api.services import api_token_mark_used
from auditloop.audits.access.audits import get_audit_for_user
from auditloop.audits.access.tools import can_read_tools
from auditloop.audits.models import ActionStatus, Audit, AuditStatus, AuditType
from auditloop.audits.selectors.actions import actions_matching, actions_visible_to
from auditloop.audits.selectors.audits import (
    AUDITS_ORDER,
    ComplianceScore,
    audit_answers,
    audit_keys_visible_to,
    audits_matching,
    audits_page_shown_to,
    compliance_scores,
)
from auditloop.audits.selectors.tools import tools_with_questions
from auditloop.core.accesslog import Purpose, access_shown

MAX_LIMIT = 500
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Far beyond any list the API holds, and small enough for every database's OFFSET.
MAX_OFFSET = 1_000_000_000


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>`: the token's owner, with their active member of staff on
    the request (`request.staff`) exactly as the pages' access decorators put it there."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_for_key(token)
        if found is None:
            return None
        api_token_mark_used(token=found)
        request.user = found.user
        cast(StaffRequest, request).staff = staff_for(found.user)
        return found.user


class StaffSessionAuth(SessionAuth):
    """A signed-in browser session (the documentation page tries calls this way), with the
    login's active member of staff on the request, as for a token."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user:
            cast(StaffRequest, request).staff = staff_for(user)
        return user


api = NinjaAPI(
    title="auditloop API",
    version="1",
    description=(
        "Read-only access to audits, actions, audit tools, the figures behind the dashboards "
        "and the issued cycle reviews, scoped to the person the token belongs to: each answer "
        "holds exactly what that person's pages show. Send "
        "`Authorization: Bearer <token>`; make a token on the API tokens page. Lists take "
        f"`limit` (1 to {MAX_LIMIT}, 100 if not given) and `offset` (0 to {MAX_OFFSET:,}); "
        "a parameter out of range or of the wrong kind is refused with 400 and a message "
        "naming it."
    ),
    auth=[TokenAuth(), StaffSessionAuth()],
    urls_namespace="api",
    # The documentation is a page of the product (auditloop.api.views.api_documentation).
    docs_url=None,
    docs_decorator=login_required,
)

# What a query parameter must be, in words, for the message a refused call gets.
PARAMETER_RULES = {
    "limit": f"limit must be a whole number from 1 to {MAX_LIMIT}",
    "offset": f"offset must be a whole number from 0 to {MAX_OFFSET:,}",
    "submitted_since": "submitted_since must be a date written YYYY-MM-DD",
    "overdue": "overdue must be true or false",
    "audit_id": "audit_id must be an audit's identifier (a UUID)",
    "cycle": "cycle must be a cycle's identifier (a UUID, as /dashboard/cycles gives them)",
    "key": "key must be a figure's key: up to 100 letters, digits, hyphens and underscores",
}


def _refusal(request: HttpRequest, error: dict[str, Any]) -> dict[str, str]:
    """One parameter pydantic refused, as {"parameter", "message"} in plain words, quoting
    what was sent (cut short)."""
    location = [str(part) for part in error.get("loc", ())]
    name = location[-1] if location else "query"
    expected = (error.get("ctx") or {}).get("expected")
    if name in PARAMETER_RULES:
        message = PARAMETER_RULES[name]
    elif error.get("type") == "enum" and expected:
        message = f"{name} must be {expected}"
    else:
        message = f"{name}: {error.get('msg', 'not accepted')}"
    if location[:1] == ["query"] and name in request.GET:
        sent = request.GET[name]
        message += f" (you sent {sent[:40] + '…' if len(sent) > 40 else sent!r})"
    return {"parameter": name, "message": message + "."}


@api.exception_handler(ValidationError)
def bad_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A call the API cannot answer as asked: 400, saying which parameter and why."""
    problems = [_refusal(request, error) for error in exc.errors]
    return api.create_response(
        request,
        {"detail": " ".join(p["message"] for p in problems), "errors": problems},
        status=400,
    )


@api.exception_handler(PermissionDenied)
def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


class IndexOut(Schema):
    audits: str = Field(description="The address of the list of audits.")
    actions: str = Field(description="The address of the list of actions.")
    tools: str = Field(description="The address of the list of audit tools.")
    dashboard: str = Field(description="The address of your dashboard's figures.")
    dashboard_cycles: str = Field(description="The address of the cycles your dashboard shows.")
    cycle_reviews: str = Field(description="The address of the issued cycle reviews.")
    schema_url: str = Field(description="The address of this OpenAPI schema.")


@api.get("/", response={200: IndexOut, **SIGNED_IN}, summary="Where each collection is")
def index(request: HttpRequest) -> dict[str, str]:
    root = request.path.rstrip("/")
    return {
        "audits": f"{root}/audits",
        "actions": f"{root}/actions",
        "tools": f"{root}/tools",
        "dashboard": f"{root}/dashboard",
        "dashboard_cycles": f"{root}/dashboard/cycles",
        "cycle_reviews": f"{root}/cycle-reviews",
        "schema_url": f"{root}/openapi.json",
    }


class Page(Schema):
    limit: int = Field(
        100, ge=1, le=MAX_LIMIT, description=f"How many to return, from 1 to {MAX_LIMIT}."
    )
    offset: int = Field(
        0,
        ge=0,
        le=MAX_OFFSET,
        description="How many to skip first. Past the end of the list, the page is empty.",
    )


class AuditFilters(Page):
    status: AuditStatus | None = Field(None, description="Only audits with this status.")
    audit_type: AuditType | None = Field(
        None,
        description=(
            "Only audits of this type. Calibration audits (exercises, not judgements on "
            "practice) are listed only when asked for by this filter."
        ),
    )
    submitted_since: datetime.date | None = Field(
        None, description="Only audits submitted on or after this date (YYYY-MM-DD)."
    )

    @field_validator("submitted_since", mode="before")
    @classmethod
    def _written_as_a_date(cls, value: Any) -> Any:
        # Left to itself pydantic also reads a number of seconds ("0" is 1 January 1970).
        if isinstance(value, str) and not ISO_DATE.fullmatch(value):
            raise ValueError("not a date written YYYY-MM-DD")
        return value


class AuditOut(Schema):
    id: uuid.UUID = Field(description="The audit's identifier, as in its page's address.")
    audit_type: str = Field(description="dip_sample, deep_dive, thematic or revisit.")
    status: str = Field(description="planned, in_progress, submitted or completed.")
    tool: str = Field(description="The name of the audit tool used.")
    tool_version: int = Field(description="The version of the tool the audit keeps.")
    cohort: str = Field(description="The child's cohort: CIN, CP, CLA or CL (care leaver).")
    case_id: uuid.UUID = Field(
        description="The case file's identifier in auditloop; never the LA child ID."
    )
    service: str | None = Field(description="The service of the team that holds the case.")
    team: str | None = Field(description="The team that held the case when it was audited.")
    auditor: str = Field(description="The auditor's name.")
    overall_grade: str | None = Field(
        description=(
            "The code of the overall grade that counts, once the audit is submitted: the grade "
            "agreed at moderation (or decided by the head of service) where there is one, else "
            "the auditor's. Null before submission, and to the audit's moderator until they "
            "have given their own grades (the blind regrade)."
        )
    )
    overall_grade_value: int | None = Field(
        description=(
            "The overall grade's value on its scale (the scale's own numbers, not steps): "
            "higher is better."
        )
    )
    compliance_score: float | None = Field(
        description=(
            "Yes ÷ (yes + no) over the compliance checks, not applicable left out, once the "
            "audit is submitted; null before, and for audits with no check answered yes or no."
        )
    )
    due_date: datetime.date | None = Field(description="When the audit is due.")
    created_at: datetime.datetime = Field(description="When the audit was planned.")
    submitted_at: datetime.datetime | None = Field(description="When it was last submitted.")
    completed_at: datetime.datetime | None = Field(description="When it was completed.")


class AnswerOut(Schema):
    question: str = Field(description="The question's code in its tool version.")
    kind: str = Field(description="compliance (yes, no or not applicable) or graded.")
    compliance: str | None = Field(description="yes, no or na, for a compliance check.")
    grade: str | None = Field(
        description=(
            "For a graded question, the code of the grade that counts: agreed at moderation "
            "where there is one, else the auditor's. Null to the audit's moderator until they "
            "have given their own grades."
        )
    )
    grade_value: int | None = Field(
        description=(
            "The grade's value on its scale (the scale's own numbers, not steps): higher is better."
        )
    )


class AuditDetailOut(AuditOut):
    answers: list[AnswerOut] = Field(description="Every answer, in the tool's order.")


class AuditPage(Schema):
    count: int = Field(description="How many audits match, on every page together.")
    items: list[AuditOut] = Field(description="This page of them, newest first.")


def _audit_out(audit: Audit, score: ComplianceScore | None) -> dict[str, Any]:
    """`score` is the audit's compliance score, given for a submitted audit only."""
    team = audit.team
    grade = audit.grade_shown
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
        "compliance_score": score.fraction if score is not None and audit.is_shared else None,
        "due_date": audit.due_date,
        "created_at": audit.created_at,
        "submitted_at": audit.submitted_at,
        "completed_at": audit.completed_at,
    }


@api.get(
    "/audits", response={200: AuditPage, **REFUSALS}, summary="Audits you may see, newest first"
)
def list_audits(request: StaffRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    staff = request.staff
    audits = audits_matching(
        audit_keys_visible_to(staff),
        status=filters.status or "",
        audit_type=filters.audit_type or "",
        submitted_since=filters.submitted_since,
    )
    # The page's keys first, then those audits with their cases (as the audits page does).
    keys = audits.order_by(*AUDITS_ORDER).values_list("pk", flat=True)[
        filters.offset : filters.offset + filters.limit
    ]
    page = list(
        audits_page_shown_to(staff, keys).select_related("team__service").order_by(*AUDITS_ORDER)
    )
    # A list of audits is a read of each of them.
    access_shown(user=request.user, targets=page, purpose=Purpose.API)
    scores = compliance_scores(a.pk for a in page)
    return {"count": audits.count(), "items": [_audit_out(a, scores.get(a.pk)) for a in page]}


@api.get(
    "/audits/{audit_id}",
    response={200: AuditDetailOut, **REFUSALS_OR_NOT_FOUND},
    summary="One audit with its answers",
)
def get_audit(request: HttpRequest, audit_id: uuid.UUID) -> dict[str, Any]:
    audit = get_audit_for_user(request.user, audit_id)
    answers = list(audit_answers(audit))
    out = _audit_out(audit, ComplianceScore.of(a.compliance for a in answers))
    out["answers"] = []
    for a in answers:
        grade = None if audit.grades_hidden else a.grade_counted
        out["answers"].append(
            {
                "question": a.question.code,
                "kind": a.question.kind,
                "compliance": a.compliance or None,
                "grade": grade.code if grade else None,
                "grade_value": grade.value if grade else None,
            }
        )
    return out


class ActionFilters(Page):
    status: ActionStatus | None = Field(None, description="Only actions with this status.")
    overdue: bool = Field(False, description="Only open actions past their due date.")


class ActionOut(Schema):
    id: uuid.UUID = Field(description="The action's identifier, as in its page's address.")
    audit_id: uuid.UUID = Field(description="The audit it came from.")
    owner: str = Field(description="The name of the person who owns it.")
    due_date: datetime.date = Field(description="When it is due.")
    status: str = Field(
        description=(
            "open, completed (marked done by its owner, waiting for sign-off), closed (signed "
            "off: the only status that counts as done) or cancelled."
        )
    )
    completed_at: datetime.datetime | None = Field(
        description="When its owner last marked it done."
    )
    signed_off_at: datetime.datetime | None = Field(
        description="When it was signed off and closed."
    )


@api.get(
    "/actions",
    response={200: list[ActionOut], **REFUSALS},
    summary="Actions you may open, soonest due first",
)
def list_actions(request: StaffRequest, filters: Query[ActionFilters]) -> list[dict[str, Any]]:
    staff = request.staff
    actions = actions_matching(
        actions_visible_to(staff), status=filters.status or "", overdue=filters.overdue
    )
    page = list(actions[filters.offset : filters.offset + filters.limit])
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
            "signed_off_at": a.signed_off_at,
        }
        for a in page
    ]


class QuestionOut(Schema):
    code: str = Field(description="The question's code, as answers name it.")
    section: str = Field(description="The title of its section.")
    text: str = Field(description="The question as auditors read it.")
    kind: str = Field(description="compliance or graded.")
    descriptors: dict[str, str] = Field(
        description="For a graded question: what each grade (by code) looks like."
    )


class VersionOut(Schema):
    id: uuid.UUID = Field(description="The version's identifier, as in its page's address.")
    number: int = Field(description="1 for the first version, and so on.")
    is_published: bool = Field(
        description="false for a draft (listed only to those who may change tools)."
    )
    grading_scale: str = Field(description="The grading scale's short name.")
    questions: list[QuestionOut] = Field(description="Every question, in order.")


class ToolOut(Schema):
    id: uuid.UUID = Field(description="The tool's identifier.")
    slug: str = Field(description="The tool's short name.")
    name: str = Field(description="The tool's name.")
    kind: str = Field(description="compliance, quality or mixed.")
    versions: list[VersionOut] = Field(description="Its versions, newest first.")


@api.get(
    "/tools",
    response={200: list[ToolOut], **SIGNED_IN},
    summary="Audit tools with each version's questions, newest version first",
)
def list_tools(request: StaffRequest) -> list[dict[str, Any]]:
    staff = request.staff
    if not can_read_tools(staff):
        raise PermissionDenied("Your role does not give you access to audit tools.")
    return [
        {
            "id": t.public_id,
            "slug": t.slug,
            "name": t.name,
            "kind": t.kind,
            "versions": [
                {
                    "id": v.public_id,
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
                for v in t.version_list  # type: ignore[attr-defined]
            ],
        }
        for t in tools_with_questions(staff)
    ]


api.add_router("", aggregates)
