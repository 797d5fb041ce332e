"""Edge cases of the access rule of the reports (`auditloop.reports.access.scopes`): heading a
service outside the cycle widens no one's dashboard, and a cycle with no service has no review
anyone may issue or read."""

from __future__ import annotations

import pytest

from auditloop.core.refusals import Refused
from auditloop.learning.tests.team_picture_factories import cycle_of
from auditloop.reports.access.reviews import cycles_reviewable_by, reviews_visible_to
from auditloop.reports.access.scopes import dashboard_scope, may_issue_reviews
from auditloop.reports.models import CycleReview, ReviewStatus
from auditloop.reports.services.reviews import cycle_review_request
from auditloop.reports.tests.reviews_support import make_cycle
from auditloop.reports.tests.test_figures import SPRING
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_a_team_manager_heading_a_service_outside_the_cycle_reads_only_their_own_team(
    p: Personas,
) -> None:
    p.south.head_of_service = p.team_manager
    p.south.save()
    cycle = cycle_of(p, "Spring", SPRING)
    cycle.services.set([p.north])
    scope = dashboard_scope(p.team_manager, cycle)
    assert scope is not None
    assert scope.service_ids == (p.north.pk,)
    assert scope.team_ids == (p.north_a.pk,)


def test_a_practitioner_heading_a_service_outside_the_cycle_reads_only_their_own_audits(
    p: Personas,
) -> None:
    p.south.head_of_service = p.practitioner
    p.south.save()
    cycle = cycle_of(p, "Spring", SPRING)
    cycle.services.set([p.north])
    scope = dashboard_scope(p.practitioner, cycle)
    assert scope is not None
    assert scope.service_ids == (p.north.pk,)
    assert scope.practitioner_id == p.practitioner.pk


def test_a_team_manager_heading_a_service_of_the_cycle_reads_that_service_whole(
    p: Personas,
) -> None:
    p.south.head_of_service = p.team_manager
    p.south.save()
    cycle = cycle_of(p, "Spring", SPRING)
    scope = dashboard_scope(p.team_manager, cycle)
    assert scope is not None
    assert scope.service_ids == (p.south.pk,)
    assert scope.team_ids is None and scope.practitioner_id is None


def test_a_cycle_with_no_service_has_no_review_to_issue_or_read(p: Personas) -> None:
    cycle = make_cycle()
    for staff in (p.moderator, p.senior_leader):
        assert not may_issue_reviews(staff, cycle)
        assert cycle not in cycles_reviewable_by(staff)
        with pytest.raises(Refused):
            cycle_review_request(staff=staff, cycle=cycle, audience="leaders", fmt="html")
    # A version made before the cycle lost its services is read by no one.
    CycleReview.objects.create(
        cycle=cycle,
        audience="leaders",
        format="html",
        status=ReviewStatus.QUEUED,
        requested_by=p.senior_leader,
        created_by=p.senior_leader.user,
    )
    for staff in p.all_roles().values():
        assert not reviews_visible_to(staff).exists(), staff.role
