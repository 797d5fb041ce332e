"""The cycle review as a document: the one entry point the issuing (background build, CLI)
calls. Built in parallel (issue 10): see `auditloop.reports.selectors.cycle_review` for the
sections and `auditloop.reports.renderers` for HTML, PDF and Word."""

from __future__ import annotations

from collections.abc import Callable

from auditloop.accounts.models import StaffMember
from auditloop.sampling.models import Cycle

# Called as the build goes: (percent done, words for the step).
type Progress = Callable[[int, str], None]


def cycle_review_bytes(
    *,
    cycle: Cycle,
    audience: str,
    fmt: str,
    reader: StaffMember | None,
    on_progress: Progress | None = None,
) -> bytes:
    """The cycle review of `cycle` for `audience` ("committee" or "leaders") as `fmt`
    ("html": a whole standalone page; "pdf"; "docx"), built as `reader` may read it (None:
    at the command line, every audit counted)."""
    raise NotImplementedError
