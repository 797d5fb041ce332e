"""The cycle review's preview page: for those who may issue the review, in the site's layout,
the committee's version unless the leaders' is chosen, naming no child."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from auditloop.learning.tests.briefing_reading import html_text
from auditloop.reports.tests.review_factories import CHILD_ID, ReviewCouncil, review_council
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(p: Personas) -> ReviewCouncil:
    council = review_council(p)
    # The audit lead and the senior leader oversee both of the cycle's services.
    p.moderator.services.add(p.south)
    p.senior_leader.services.add(p.south)
    return council


def url(council: ReviewCouncil, audience: str = "") -> str:
    address = reverse("reports:cycle-review-preview", args=[council.cycle.public_id])
    return f"{address}?audience={audience}" if audience else address


def test_an_audit_lead_previews_the_committee_version_by_default(
    p: Personas, council: ReviewCouncil
) -> None:
    response = p.client_for(p.moderator).get(url(council))
    assert response.status_code == 200
    page = response.content.decode()
    text = html_text(page)
    assert "Cycle review preview: April to September 2026" in page
    assert "1. Summary" in text and "11. Next six months" in text
    assert "Kestrelmoor" not in text
    assert CHILD_ID not in page
    assert 'role="banner"' in page  # the site's layout, not the standalone page


def test_a_senior_leader_previews_the_leaders_version_with_team_names(
    p: Personas, council: ReviewCouncil
) -> None:
    response = p.client_for(p.senior_leader).get(url(council, "leaders"))
    assert response.status_code == 200
    text = html_text(response.content.decode())
    assert "Fernhallow" in text
    assert CHILD_ID not in text


def test_an_audience_it_does_not_know_is_refused_with_a_message(
    p: Personas, council: ReviewCouncil
) -> None:
    response = p.client_for(p.moderator).get(url(council, "public"))
    assert response.status_code == 400
    text = html_text(response.content.decode())
    assert "Choose the committee's version or the leaders'" in text
    assert "1. Summary" not in text


def test_a_lead_who_does_not_oversee_every_service_of_the_cycle_is_told_not_found(
    p: Personas, council: ReviewCouncil
) -> None:
    p.moderator.services.remove(p.south)
    assert p.client_for(p.moderator).get(url(council)).status_code == 404


@pytest.mark.parametrize("who", ["board_member", "team_manager", "practitioner", "auditor"])
def test_no_other_role_may_preview_a_review(p: Personas, council: ReviewCouncil, who: str) -> None:
    assert p.client_for(getattr(p, who)).get(url(council)).status_code == 403


def test_a_cycle_that_does_not_exist_is_not_found(p: Personas, council: ReviewCouncil) -> None:
    address = reverse("reports:cycle-review-preview", args=[uuid.uuid4()])
    assert p.client_for(p.moderator).get(address).status_code == 404
