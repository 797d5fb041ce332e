"""The built-in grading scales and audit tools, shipped as data in `data/default_tools.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from auditloop.audits.models import (
    AuditTool,
    GradingScale,
    Question,
    Section,
    ToolVersion,
)
from auditloop.audits.services.family import family_questions_default
from auditloop.audits.services.scales import grades_create
from auditloop.core.events import event_record

DEFAULT_TOOLS = Path(__file__).parent / "data" / "default_tools.json"


def _load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEFAULT_TOOLS.read_text(encoding="utf-8"))
    return data


@transaction.atomic
def default_tools_install(*, by: Any = None) -> list[AuditTool]:
    """Create the default grading scales and tools (version 1) where they do not exist yet.

    Running it again changes nothing: an existing scale or tool is left as the council has it.
    """
    data = _load()
    scales: dict[str, GradingScale] = {}
    for s in data["grading_scales"]:
        scale, created = GradingScale.objects.get_or_create(
            slug=s["slug"], defaults={"name": s["name"]}
        )
        if created:
            grades_create(scale=scale, grades=s["grades"])
            event_record(actor=by, verb="grading_scale.created", target=scale, summary=scale.name)
        scales[scale.slug] = scale
    tools = []
    for t in data["tools"]:
        tool, created = AuditTool.objects.get_or_create(
            slug=t["slug"],
            defaults={"name": t["name"], "kind": t["kind"], "description": t["description"]},
        )
        tools.append(tool)
        if not created:
            continue
        version = ToolVersion.objects.create(
            tool=tool,
            number=1,
            grading_scale=scales[t["grading_scale"]],
            guidance=t["guidance"],
            lead_note=t.get("lead_note", ""),
            change_note="The default tool as shipped with auditloop.",
            is_published=True,
            published_at=timezone.now(),
        )
        family_questions_default(version)
        for s_order, s in enumerate(t["sections"], start=1):
            section = Section.objects.create(version=version, order=s_order, title=s["title"])
            Question.objects.bulk_create(
                Question(
                    section=section,
                    order=q_order,
                    code=q["code"],
                    text=q["text"],
                    kind=q["kind"],
                    basis=q.get("basis", ""),
                    applies_to=q.get("applies_to", ""),
                    descriptors=q.get("descriptors", {}),
                    alert_on_no=q.get("alert_on_no", False),
                )
                for q_order, q in enumerate(s["questions"], start=1)
            )
        event_record(actor=by, verb="audit_tool.installed", target=tool, summary=tool.name)
    return tools
