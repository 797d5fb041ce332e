"""What the cycle review tests share: a cycle, a stand-in for the review document (which the
review engineer builds on another branch), and versions issued directly."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.utils import timezone

from auditloop.accounts.models import Service, StaffMember
from auditloop.audits.models import Audit, AuditStatus
from auditloop.reports.documents import Progress
from auditloop.reports.models import Audience, CycleReview, ReviewFormat, ReviewStatus
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

STEPS = [(10, "Counting the audits"), (55, "Drawing the charts"), (90, "Writing the document")]


def make_cycle(
    *services: Service, name: str = "April to September 2026", started: bool = True
) -> Cycle:
    today = timezone.localdate()
    starts_on = today - datetime.timedelta(days=200) if started else today + datetime.timedelta(1)
    cycle = Cycle.objects.create(
        name=name, starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=182)
    )
    cycle.services.set(services)
    return cycle


@dataclass
class FakeDocument:
    """Stands in for `cycle_review_bytes`: reports its steps, and reads the figures from the
    database as the real one does (so that a later change to an audit would change a new
    build), noting what the row said at each step."""

    seen: list[tuple[str, int, str]] = field(default_factory=list)
    calls: list[dict[str, object]] = field(default_factory=list)

    def __call__(
        self,
        *,
        cycle: Cycle,
        audience: str,
        fmt: str,
        on_progress: Progress | None = None,
    ) -> bytes:
        self.calls.append({"cycle": cycle, "audience": audience, "fmt": fmt})
        for percent, words in STEPS:
            assert on_progress is not None
            on_progress(percent, words)
            row = CycleReview.objects.filter(status=ReviewStatus.BUILDING).get()
            self.seen.append((row.status, row.progress, row.step))
        submitted = Audit.objects.filter(status=AuditStatus.SUBMITTED).count()
        grades = sorted(
            str(code)
            for code in Audit.objects.values_list("overall_grade__code", flat=True)
            if code
        )
        return (
            f"%{fmt.upper()} review of {cycle.name} for {audience}: {submitted} audits, "
            f"grades {grades}\n"
        ).encode() + bytes(range(256))


def issued(
    p: Personas,
    cycle: Cycle,
    *,
    audience: str = Audience.COMMITTEE,
    fmt: str = ReviewFormat.PDF,
    content: bytes = b"%PDF-1.7 issued\x00\xff",
    by: StaffMember | None = None,
    status: str = ReviewStatus.ISSUED,
) -> CycleReview:
    """A version as the build leaves it (written directly, for the access tests)."""
    done = status == ReviewStatus.ISSUED
    return CycleReview.objects.create(
        cycle=cycle,
        audience=audience,
        format=fmt,
        status=status,
        progress=100 if done else 40,
        content=content if done else None,
        sha256=hashlib.sha256(content).hexdigest() if done else "",
        size=len(content) if done else 0,
        requested_by=by or p.moderator,
        issued_at=timezone.now() if done else None,
    )
