"""Who may read and change audit tools: tools hold no case content; reading is for staff who audit,
audit leads and administrators; only audit leads and administrators see drafts and change
anything."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import AUDITING_ROLES, Role, StaffMember
from auditloop.audits.models import (
    AuditTool,
    Question,
    Section,
    ToolVersion,
)

TOOL_WRITE_ROLES = (Role.MODERATOR, Role.ADMINISTRATOR)


TOOL_READ_ROLES = tuple(sorted(AUDITING_ROLES | set(TOOL_WRITE_ROLES)))


def can_change_tools(staff: StaffMember) -> bool:
    return staff.role in TOOL_WRITE_ROLES


def can_read_tools(staff: StaffMember) -> bool:
    """Who reaches the audit tools pages (and the API's list of tools)."""
    return staff.role in TOOL_READ_ROLES


def tool_versions_visible_to(staff: StaffMember) -> QuerySet[ToolVersion]:
    versions = ToolVersion.objects.all()
    if not can_change_tools(staff):
        versions = versions.filter(is_published=True)
    return versions


def get_tool_for_user(user: Any, public_id: UUID | str, *, write: bool = False) -> AuditTool:
    staff = staff_for(user)
    if staff.role not in TOOL_READ_ROLES:
        raise Http404("No audit tool found.")
    if write and not can_change_tools(staff):
        raise PermissionDenied("Only an audit lead or an administrator can change audit tools.")
    try:
        return AuditTool.objects.get(public_id=public_id)
    except (AuditTool.DoesNotExist, ValueError) as exc:
        raise Http404("No audit tool found.") from exc


def get_tool_version_for_user(
    user: Any, public_id: UUID | str, *, write: bool = False
) -> ToolVersion:
    """The version, if `user` may read it: drafts only for audit leads and administrators.
    With write=True, 403 for anyone else (a published version is refused by the service)."""
    staff = staff_for(user)
    if staff.role not in TOOL_READ_ROLES:
        raise Http404("No audit tool version found.")
    try:
        version = (
            tool_versions_visible_to(staff)
            .select_related("tool", "grading_scale", "created_by__staff")
            .get(public_id=public_id)
        )
    except (ToolVersion.DoesNotExist, ValueError) as exc:
        raise Http404("No audit tool version found.") from exc
    if write and not can_change_tools(staff):
        raise PermissionDenied("Only an audit lead or an administrator can change audit tools.")
    return version


def get_section(version: ToolVersion, number: int) -> Section:
    try:
        return Section.objects.select_related("version__tool").get(version=version, order=number)
    except Section.DoesNotExist as exc:
        raise Http404("No such section in this version.") from exc


def get_question(version: ToolVersion, code: str) -> Question:
    try:
        return Question.objects.select_related("section__version__tool").get(
            section__version=version, code=code
        )
    except Question.DoesNotExist as exc:
        raise Http404("No such question in this version.") from exc
