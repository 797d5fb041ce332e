"""What practitioners said they will do differently, for audit leads: unattributed, redacted,
and only once enough people have answered."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from auditloop.assurance.models import ExperienceResponse
from auditloop.sampling.models import Cycle
from auditloop.sampling.services.cycles import cycle_create
from auditloop.testing import Personas


@pytest.fixture
def cycle(p: Personas) -> Cycle:
    return cycle_create(
        name="North, April to September 2026",
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool],
        audit_types=["dip_sample"],
        auditors=[p.auditor],
        by=p.moderator,
    )


def said(cycle: Cycle, p: Personas, *texts: str) -> None:
    ExperienceResponse.objects.bulk_create(
        ExperienceResponse(
            cycle=cycle,
            service=p.north,
            audit_type="dip_sample",
            role="practitioner",
            supportive="agree",
            feedback_useful="agree",
            alongside="agree",
            do_differently=text,
        )
        for text in texts
    )


def page(p: Personas, cycle: Cycle) -> str:
    url = reverse("reports:experience_said") + f"?cycle={cycle.public_id}"
    return p.client_for(p.moderator).get(url).content.decode()


def test_a_lead_reads_what_people_said_in_alphabetical_order_with_names_redacted(
    p: Personas, cycle: Cycle
) -> None:
    said(cycle, p, "Update the chronology monthly", "", "Ask Mary Manager to check plans", "", "")

    text = page(p, cycle)

    assert "5 people answered; 2 said what they will do differently." in text
    assert text.index("Ask ") < text.index("Update the chronology monthly")
    assert "Mary Manager" not in text


def test_what_fewer_people_said_than_the_threshold_is_not_shown(p: Personas, cycle: Cycle) -> None:
    said(cycle, p, "Update the chronology monthly", "Visit more often")

    text = page(p, cycle)

    assert "Fewer than 5 people have answered in this cycle" in text
    assert "Visit more often" not in text


@pytest.mark.parametrize("who", ["practitioner", "auditor", "team_manager", "senior_leader"])
def test_only_audit_leads_read_what_people_said(p: Personas, who: str) -> None:
    response = p.client_for(p.all_roles()[who]).get(reverse("reports:experience_said"))

    assert response.status_code == 403
