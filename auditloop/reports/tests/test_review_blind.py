"""A stored cycle review counts by one rule, whoever issues it: every audit still under a blind
moderation is left out, so that no reader can recover its grade by setting the review against
their own dashboard, and the web build and the command give the same figures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from auditloop.assurance.models import ModerationStatus
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.blocks import block_by_key
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.selectors.figures import grades_overall
from auditloop.reports.services.reviews import cycle_review_build, cycle_review_request
from auditloop.reports.tests.test_figures import SPRING, line, moderated
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_an_audit_under_a_blind_moderation_is_in_no_figure_of_the_leaders_review(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, overall="good")
    blind = counted_audit(p, cycle, overall="inadequate")
    moderated(p, blind, status=ModerationStatus.REGRADING)
    [overall] = grades_overall(review_scope(cycle, "leaders"))
    assert overall.table is not None
    assert line(overall.table, "North A") == ["0", "5", "0", "0", "5", "100%"]
    sections = cycle_review_sections(review_scope(cycle, "leaders"))
    coverage = block_by_key(sections, "moderation-coverage")
    assert coverage is not None and coverage.table is not None
    # Five audits counted, none of them moderated: the blind one is not there at all.
    assert line(coverage.table, "North A")[-2] == "5"


def test_the_leader_the_blind_moderator_and_the_command_build_the_same_review(
    p: Personas, tmp_path: Path
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, overall="good")
    blind = counted_audit(p, cycle, overall="inadequate")
    moderated(p, blind, status=ModerationStatus.REGRADING)
    cycle.services.set([p.north])  # the senior leader oversees North only
    built = {}
    for staff in (p.senior_leader, p.moderator):
        review = cycle_review_request(staff=staff, cycle=cycle, audience="leaders", fmt="html")
        content = cycle_review_build(review=review).content
        assert content is not None
        built[staff.pk] = bytes(content).decode()
    out = tmp_path / "review.html"
    call_command(
        "report",
        "cycle",
        "--cycle",
        "Spring",
        "--format",
        "html",
        "--audience",
        "leaders",
        "--out",
        str(out),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    # The one who moderates blind reads the same figures as anyone else: none of them has
    # the blind audit, so no one can find its grade by comparing what they read.
    assert built[p.senior_leader.pk] == built[p.moderator.pk] == out.read_text(encoding="utf-8")
