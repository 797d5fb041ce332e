"""The case a data protection page is asked about, by the LA child ID someone typed."""

from __future__ import annotations

from auditloop.cases.models import ChildCase
from auditloop.privacy.rules.retention import ANONYMOUS_CASE_PREFIX


def case_by_child_id(child_id: str) -> ChildCase | None:
    """The case whose LA child ID is `child_id`, ignoring capitals and spaces around it; never
    a stand-in that retention made for anonymised audits (it belongs to no child)."""
    child_id = child_id.strip()
    if not child_id:
        return None
    return (
        ChildCase.objects.filter(la_child_id__iexact=child_id)
        .exclude(la_child_id__startswith=ANONYMOUS_CASE_PREFIX)
        .first()
    )
