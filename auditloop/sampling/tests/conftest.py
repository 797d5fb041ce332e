from __future__ import annotations

import datetime

import pytest

from auditloop.sampling.models import Cycle
from auditloop.sampling.services.cycles import cycle_create
from auditloop.testing import Personas


@pytest.fixture
def cycle(p: Personas) -> Cycle:
    """North's cycle, April to September 2026, audited by the auditor and the team manager."""
    return cycle_create(
        name="North, April to September 2026",
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool, p.quality_tool],
        audit_types=["dip_sample", "deep_dive"],
        auditors=[p.auditor, p.team_manager],
        by=p.moderator,
    )
