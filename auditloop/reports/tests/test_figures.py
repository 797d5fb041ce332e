"""The dashboards' figures, on known data: what each counts (and never counts), how small
groups and small counts are suppressed, the targets, and words where there is nothing to
count."""

from __future__ import annotations

import datetime

from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
)
from auditloop.learning.models import LearningPointKind
from auditloop.learning.tests.point_factories import point_in, theme_named
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of, grade
from auditloop.reports.access.scopes import dashboard_scope, review_scope
from auditloop.reports.blocks import Block, FigureTable, block_by_key
from auditloop.reports.models import Audience, Target, TargetMeasure
from auditloop.reports.selectors.figures import (
    compliance_by_check,
    dashboard_sections,
    grades_by_domain,
    grades_overall,
    moderation,
    overdue_actions,
    progress,
    quality_share,
    revisit_outcomes,
    themes,
    trend,
)
from auditloop.reports.selectors.scope import ReportScope
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas

SPRING = datetime.date(2026, 1, 1)
AUTUMN = datetime.date(2026, 7, 1)
EARLIER = datetime.date(2025, 7, 1)


def lead_scope(p: Personas, cycle: Cycle) -> ReportScope:
    scope = dashboard_scope(p.moderator, cycle)
    assert scope is not None
    return scope


def line(table: FigureTable | None, label: str) -> list[str]:
    """A row of the table as shown: its cells, total and derived figure."""
    assert table is not None
    found = next(r for r in table.rows if r.label.startswith(label))
    shown = [f.text for f in found.cells]
    shown.append(found.total.text if found.total else "")
    if found.derived is not None:
        shown.append(found.derived.text)
    return shown


def labels(table: FigureTable | None) -> list[str]:
    assert table is not None
    return [r.label for r in table.rows]


def only(blocks: list[Block], key: str) -> Block:
    found = [b for b in blocks if b.key == key]
    assert len(found) == 1, [b.key for b in blocks]
    return found[0]


def planned_in(p: Personas, cycle: Cycle, *, month: datetime.date, status: str) -> Audit:
    audit = counted_audit(p, cycle, status=status)
    CycleAudit.objects.filter(audit=audit).update(planned_month=month)
    return audit


# Progress ------------------------------------------------------------------------------------


def test_progress_counts_the_cycles_planned_audits_against_those_done_by_team_and_month(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(4):
        planned_in(p, cycle, month=SPRING, status=AuditStatus.SUBMITTED)
    planned_in(p, cycle, month=SPRING, status=AuditStatus.IN_PROGRESS)
    planned_in(p, cycle, month=datetime.date(2026, 2, 1), status=AuditStatus.PLANNED)
    # A calibration audit in the cycle is an exercise, not a planned audit.
    counted_audit(p, cycle, audit_type=AuditType.CALIBRATION)
    blocks = progress(lead_scope(p, cycle))
    by_team = only(blocks, "progress").table
    # Done, not done yet, planned, share done.
    assert line(by_team, "North A") == ["4", "2", "6", "67%"]
    by_month = only(blocks, "progress-by-month").table
    assert line(by_month, "January 2026") == ["4", "1", "5", "80%"]
    assert line(by_month, "February 2026") == ["0", "1", "1", "0%"]
    # Every month of the cycle is a row, those with nothing planned too.
    assert labels(by_month)[0] == "January 2026"
    assert "June 2026" in labels(by_month)
    chart = only(blocks, "progress").chart
    assert chart is not None and chart.series[0].values == [66.7]


def test_progress_says_so_when_the_cycle_has_nothing_planned(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    [block] = progress(lead_scope(p, cycle))
    assert block.table is None
    assert block.words == ["This cycle has no audits planned yet, so there is no progress to show."]


# Grades by domain ----------------------------------------------------------------------------


def test_grades_by_domain_count_the_grade_that_counts_never_a_draft_or_a_calibration_audit(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, domains="good")
    audit = counted_audit(p, cycle, domains="good")
    # Moderation agreed Requires improvement for every domain of one audit.
    audit.answers.filter(grade__isnull=False).update(
        agreed_grade=grade(p.quality_tool, "requires_improvement")
    )
    counted_audit(p, cycle, domains="inadequate", status=AuditStatus.IN_PROGRESS)
    counted_audit(p, cycle, domains="inadequate", audit_type=AuditType.CALIBRATION)
    [block] = grades_by_domain(lead_scope(p, cycle))
    assert block.heading.startswith("Grades by domain: ")
    # Outstanding, Good, Requires improvement, Inadequate, answers.
    assert line(block.table, "D1 ") == ["0", "5", "1", "0", "6"]
    assert block.chart is not None
    assert [s.name for s in block.chart.series][:2] == ["Outstanding", "Good"]
    assert block.chart.series[1].values[0] == 83.3


def test_grades_by_domain_are_withheld_in_words_for_a_team_of_fewer_than_five_audits(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(3):
        counted_audit(p, cycle)
    scope = dashboard_scope(p.team_manager, cycle)
    assert scope is not None
    [block] = grades_by_domain(scope)
    assert block.table is None
    assert block.words == ["Fewer than 5 audits: not shown so that no one can be identified."]


def test_a_practitioner_reads_the_figures_of_their_own_few_audits_unsuppressed(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(2):
        counted_audit(p, cycle, practitioner=p.practitioner, overall="good", domains="good")
    counted_audit(p, cycle, practitioner=p.team_manager)  # someone else's
    scope = dashboard_scope(p.practitioner, cycle)
    assert scope is not None and scope.is_own
    [overall] = grades_overall(scope)
    assert line(overall.table, "North A") == ["0", "2", "0", "0", "2", "100%"]
    [domains] = grades_by_domain(scope)
    assert line(domains.table, "D1 ") == ["0", "2", "0", "0", "2"]
    [block] = themes(scope)
    assert block.table is None and "not from one person's" in block.words[0]


# Suppression ---------------------------------------------------------------------------------


def test_a_team_of_fewer_than_five_audits_shows_c_beside_a_team_that_shows_its_counts(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(6):
        counted_audit(p, cycle, team=p.north_a, overall="good")
    for _ in range(2):
        counted_audit(p, cycle, team=p.north_b, overall="good")
    scope = lead_scope(p, cycle)
    [overall] = grades_overall(scope)
    assert line(overall.table, "North B") == ["[c]"] * 6
    # North A's figures that would give North B's away by subtraction are hidden too.
    assert line(overall.table, "North A")[1] == "[c]"
    actions = [
        Action.objects.create(
            audit=audit,
            description="Visit the child.",
            owner=p.practitioner,
            due_date=timezone.localdate() + datetime.timedelta(days=7),
        )
        for audit in Audit.objects.filter(team=p.north_b)
    ]
    assert actions
    [block] = overdue_actions(scope)
    assert line(block.table, "North B")[0] == "[c]"


def test_the_committee_version_is_by_service_names_no_team_and_suppresses_small_counts(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(8):
        counted_audit(p, cycle, team=p.north_a, overall="good")
    for _ in range(2):
        counted_audit(p, cycle, team=p.north_b, overall="inadequate")
    for _ in range(6):
        counted_audit(p, cycle, team=p.south_a, overall="good")
    scope = review_scope(cycle, Audience.COMMITTEE)
    sections = dashboard_sections(scope)
    every_label = [
        text
        for section in sections
        for block in section.blocks
        for text in ([r.label for r in block.table.rows] if block.table else [])
        + ([*block.chart.categories] if block.chart else [])
    ]
    assert not any(
        "North A" in text or "North B" in text or "South A" in text for text in every_label
    )
    overall = block_by_key(sections, "grades-overall")
    assert overall is not None
    assert labels(overall.table) == ["North", "South"]
    # Two Inadequate in North: a small count, suppressed for the committee (and what would
    # give it away with it).
    north = line(overall.table, "North")
    assert north[3] == "[c]"
    assert line(overall.table, "South")[4] == "6"


# Compliance and quality ----------------------------------------------------------------------


def test_compliance_by_check_gives_yes_of_yes_and_no_and_for_leaders_the_rate_by_team(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(3):
        counted_audit(p, cycle, team=p.north_a, tool=p.compliance_tool)
    counted_audit(p, cycle, team=p.north_a, tool=p.compliance_tool, compliance=ComplianceAnswer.NO)
    counted_audit(
        p, cycle, team=p.north_a, tool=p.compliance_tool, compliance=ComplianceAnswer.NOT_APPLICABLE
    )
    for _ in range(5):
        counted_audit(
            p, cycle, team=p.north_b, tool=p.compliance_tool, compliance=ComplianceAnswer.NO
        )
    blocks = compliance_by_check(lead_scope(p, cycle))
    by_check = blocks[0]
    assert by_check.key == "compliance-by-check"
    first = by_check.table.rows[0] if by_check.table else None
    assert first is not None
    # Yes, no, not applicable, answers, % yes (3 of 9 answered yes or no).
    assert line(by_check.table, first.label) == ["3", "6", "1", "10", "33%"]
    assert by_check.chart is not None and by_check.chart.series[0].values[0] == 33.3
    by_team = only(blocks, "compliance-by-team").table
    checks = len(by_check.table.rows) if by_check.table else 0
    assert line(by_team, "North A") == [
        str(3 * checks),
        str(checks),
        str(checks),
        str(5 * checks),
        "75%",
    ]
    assert line(by_team, "North B")[-1] == "0%"


def test_a_team_manager_has_no_compliance_by_team(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, tool=p.compliance_tool)
    scope = dashboard_scope(p.team_manager, cycle)
    assert scope is not None
    assert [b.key for b in compliance_by_check(scope)] == ["compliance-by-check"]


def test_quality_share_shows_the_shift_from_compliance_checks_to_quality_judgements(
    p: Personas,
) -> None:
    earlier = cycle_of(p, "Autumn 2025", EARLIER)
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, earlier, tool=p.compliance_tool)
    for _ in range(5):
        counted_audit(p, cycle, tool=p.quality_tool)
    [block] = quality_share(lead_scope(p, cycle))
    assert labels(block.table) == ["Autumn 2025", "Spring (this cycle)"]
    assert line(block.table, "Autumn 2025")[0] == "0"
    assert line(block.table, "Autumn 2025")[-1] == "0%"
    spring = line(block.table, "Spring")
    assert spring[0] != "0" and spring[-1] != "0%"
    assert block.chart is not None and block.chart.series[0].values[0] == 0.0


# Trend and targets ---------------------------------------------------------------------------


def test_the_trend_compares_this_cycle_with_the_councils_targets(p: Personas) -> None:
    earlier = cycle_of(p, "Autumn 2025", EARLIER)
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, earlier, overall="good")
    for _ in range(6):
        counted_audit(p, cycle, overall="good")
    for _ in range(2):
        counted_audit(p, cycle, overall="requires_improvement")
    for _ in range(2):
        counted_audit(p, cycle, overall="inadequate")
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=10)
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=40)
    [block] = trend(lead_scope(p, cycle))
    assert labels(block.table) == ["Autumn 2025", "Spring (this cycle)"]
    assert line(block.table, "Spring") == ["0", "6", "2", "2", "10", "60%"]
    assert block.words == [
        "Target: at least 40% Good or better. This cycle: 60% Good or better: met.",
        "Target: no more than 10% Inadequate. This cycle: 20% Inadequate: not met.",
    ] or block.words == [
        "Target: no more than 10% Inadequate. This cycle: 20% Inadequate: not met.",
        "Target: at least 40% Good or better. This cycle: 60% Good or better: met.",
    ]
    assert block.chart is not None
    series = {s.name: s.values for s in block.chart.series}
    assert series["Share Inadequate"] == [0.0, 20.0]
    assert series["Target: no more than 10% Inadequate"] == [10.0, 10.0]


def test_a_services_own_target_is_compared_where_every_service_in_scope_has_it(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, overall="good")
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=40)
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=90, service=p.north)
    [block] = trend(lead_scope(p, cycle))
    assert "Target: at least 90% Good or better. This cycle: 100% Good or better: met." in (
        block.words
    )
    # The committee's review covers North and South: South has no target of its own.
    [committee] = trend(review_scope(cycle, Audience.COMMITTEE))
    assert "Target: at least 40% Good or better. This cycle: 100% Good or better: met." in (
        committee.words
    )


def trend_words(p: Personas, cycle: Cycle, audience: str) -> list[str]:
    [block] = trend(review_scope(cycle, audience))
    staff = list(StaffMember.objects.values_list("name", flat=True))
    assert not [name for name in staff if name in " ".join(block.words)]
    return block.words


def spring_of_north_and_south(p: Personas) -> Cycle:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, overall="good")
    return cycle


def test_where_only_some_services_have_a_target_and_the_council_none_none_is_compared(
    p: Personas,
) -> None:
    cycle = spring_of_north_and_south(p)
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=5, service=p.north)
    only_some = (
        "Only some of these services have their own target and the council has set none for "
        "them all, so none is compared here."
    )
    assert trend_words(p, cycle, "committee") == [only_some]
    assert trend_words(p, cycle, "leaders") == [
        f"{only_some} Their own targets: North: no more than 5% Inadequate."
    ]


def test_where_the_services_own_targets_differ_and_the_council_has_none_none_is_compared(
    p: Personas,
) -> None:
    cycle = spring_of_north_and_south(p)
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=60, service=p.south)
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=90, service=p.north)
    assert trend_words(p, cycle, "leaders") == [
        "These services have different targets of their own and the council has set none for "
        "them all, so none is compared here. Their own targets: North: at least 90% Good or "
        "better; South: at least 60% Good or better."
    ]


def test_the_council_wide_target_compared_is_named_and_a_services_own_not_ignored(
    p: Personas,
) -> None:
    cycle = spring_of_north_and_south(p)
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=10)
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=5, service=p.north)
    compared = "Target: no more than 10% Inadequate. This cycle: 0% Inadequate: met."
    which = (
        "This is the council-wide target. Only some of these services have their own target, "
        "not compared here."
    )
    assert trend_words(p, cycle, "committee") == [compared, which]
    assert trend_words(p, cycle, "leaders") == [
        compared,
        f"{which} Their own targets: North: no more than 5% Inadequate.",
    ]


def test_the_services_own_target_compared_over_a_council_wide_one_is_named(
    p: Personas,
) -> None:
    cycle = spring_of_north_and_south(p)
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=40)
    for service in (p.north, p.south):
        Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=80, service=service)
    assert trend_words(p, cycle, "committee") == [
        "Target: at least 80% Good or better. This cycle: 100% Good or better: met.",
        "This is these services' own target.",
    ]


def test_the_trend_says_when_no_target_is_set(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle)
    [block] = trend(lead_scope(p, cycle))
    assert block.words == ["The council has not set targets for the overall grades yet."]


# Moderation ----------------------------------------------------------------------------------


def moderated(
    p: Personas,
    audit: Audit,
    *,
    status: str,
    agreed: str | None = None,
    moderator: StaffMember | None = None,
) -> Moderation:
    now = timezone.now()
    regraded = status != ModerationStatus.REGRADING
    moderation_ = Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=status,
        moderator=moderator or p.moderator,
        moderator_overall_grade=grade(audit.tool_version, agreed or "good") if regraded else None,
        regraded_at=now if regraded else None,
    )
    if agreed is not None:
        audit.agreed_overall_grade = grade(audit.tool_version, agreed)
        audit.save(update_fields=["agreed_overall_grade"])
    return moderation_


def test_moderation_gives_coverage_and_the_grades_moderation_changed(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle, overall="good") for _ in range(10)]
    moderated(p, audits[0], status=ModerationStatus.AGREED, agreed="outstanding")
    moderated(p, audits[1], status=ModerationStatus.AGREED, agreed="requires_improvement")
    moderated(p, audits[2], status=ModerationStatus.AGREED, agreed="good")
    moderated(p, audits[3], status=ModerationStatus.REGRADING, moderator=p.senior_leader)
    scope = lead_scope(p, cycle)
    blocks = moderation(scope)
    # Moderated, chosen not regraded yet, not chosen, audits, share moderated.
    assert line(only(blocks, "moderation-coverage").table, "North A") == [
        "3",
        "1",
        "6",
        "10",
        "30%",
    ]
    # Raised, unchanged, lowered, agreed, share changed.
    assert line(only(blocks, "moderation-changes").table, "North A") == [
        "1",
        "1",
        "1",
        "3",
        "67%",
    ]
    agreement = only(blocks, "moderation-agreement")
    assert agreement.table is not None
    assert line(agreement.table, "Spring")[-1] == "3"


def test_moderation_says_so_when_nothing_is_regraded_yet(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle)
    blocks = moderation(lead_scope(p, cycle))
    assert only(blocks, "moderation-coverage").words == [
        "No moderation of these audits has been regraded yet."
    ]
    assert only(blocks, "moderation-changes").table is None
    agreement = only(blocks, "moderation-agreement")
    assert agreement.table is None
    assert agreement.words == ["No moderation of these audits has been regraded yet."]


def test_an_audit_the_reader_is_moderating_blind_is_left_out_of_what_they_read(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, overall="good")
    blind = counted_audit(p, cycle, overall="inadequate")
    moderated(p, blind, status=ModerationStatus.REGRADING)
    [overall] = grades_overall(lead_scope(p, cycle))
    assert line(overall.table, "North A") == ["0", "5", "0", "0", "5", "100%"]
    # A senior leader is not moderating it: they read it.
    leader = dashboard_scope(p.senior_leader, cycle)
    assert leader is not None
    [overall] = grades_overall(leader)
    assert line(overall.table, "North A") == ["0", "5", "0", "1", "6", "83%"]
    # Progress is a status, not a grade: the blind audit is done for both.
    assert line(only(progress(lead_scope(p, cycle)), "progress").table, "North A")[0] == "6"


# Actions, revisits and themes ----------------------------------------------------------------


def test_actions_are_counted_open_overdue_waiting_and_done_by_team(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle) for _ in range(5)]
    today = timezone.localdate()
    plan = [
        (ActionStatus.OPEN, 5),
        (ActionStatus.OPEN, 9),
        (ActionStatus.OPEN, -3),
        (ActionStatus.COMPLETED, -3),
        (ActionStatus.CLOSED, -3),
        (ActionStatus.CANCELLED, -3),
    ]
    for status, days in plan:
        Action.objects.create(
            audit=audits[0],
            description="See the child alone.",
            owner=p.practitioner,
            due_date=today + datetime.timedelta(days=days),
            status=status,
        )
    [block] = overdue_actions(lead_scope(p, cycle))
    # Open not yet due, overdue, waiting for sign-off, done, actions, overdue of those open.
    assert line(block.table, "North A") == ["2", "1", "1", "1", "5", "33%"]


def test_no_action_yet_is_said_in_words(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    counted_audit(p, cycle)
    [block] = overdue_actions(lead_scope(p, cycle))
    assert block.table is None
    assert block.words == ["No action has been set from this cycle's audits yet."]


def revisit(p: Personas, earlier: Audit, *, overall: str | None, due_in: int = 0) -> Audit:
    done = overall is not None
    return Audit.objects.create(
        case=earlier.case,
        tool_version=earlier.tool_version,
        audit_type=AuditType.REVISIT,
        status=AuditStatus.SUBMITTED if done else AuditStatus.PLANNED,
        auditor=p.auditor,
        practitioner=earlier.practitioner,
        team=earlier.team,
        revisit_of=earlier,
        due_date=timezone.localdate() + datetime.timedelta(days=due_in),
        submitted_at=timezone.now() if done else None,
        overall_grade=grade(earlier.tool_version, overall) if overall is not None else None,
    )


def test_revisit_outcomes_compare_the_grade_that_counts_with_the_earlier_audits(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle, overall="requires_improvement") for _ in range(6)]
    revisit(p, audits[0], overall="good")
    revisit(p, audits[1], overall="good")
    revisit(p, audits[2], overall="requires_improvement")
    worse = revisit(p, audits[3], overall="good")
    worse.agreed_overall_grade = grade(p.quality_tool, "inadequate")
    worse.save(update_fields=["agreed_overall_grade"])
    revisit(p, audits[4], overall=None, due_in=7)
    revisit(p, audits[5], overall=None, due_in=-2)
    [block] = revisit_outcomes(lead_scope(p, cycle))
    # Improved, the same, worse, due, overdue, revisits, improved of those done.
    assert line(block.table, "North A") == ["2", "1", "1", "1", "1", "6", "50%"]


def test_themes_count_learning_points_by_theme_and_kind(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle) for _ in range(5)]
    voice = theme_named("Voice of the child")
    for audit in audits[:3]:
        point_in(audit, themes=[voice])
    point_in(audits[3], kind=LearningPointKind.CONCERN, themes=[voice])
    [block] = themes(lead_scope(p, cycle))
    # Good practice, area for development, learning points.
    assert line(block.table, "Voice of the child") == ["3", "1", "4"]
    assert block.chart is not None and block.chart.unit == ""


# Words for an empty cycle --------------------------------------------------------------------


def test_a_cycle_with_nothing_submitted_has_words_and_no_empty_table(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    sections = dashboard_sections(lead_scope(p, cycle))
    assert [s.key for s in sections] == [
        "progress",
        "grades",
        "compliance",
        "quality",
        "moderation",
        "actions",
        "themes",
        "family",
        "experience",
    ]
    for section in sections:
        for block in section.blocks:
            assert block.table is None or block.table.rows, block.key
            assert block.table is not None or block.words, block.key
    grades = block_by_key(sections, "grades-overall")
    assert grades is not None and grades.words == [
        "No audit in this cycle has been submitted yet, so there are no grades to count."
    ]


def test_a_share_exactly_at_the_target_meets_it_and_a_hair_over_does_not(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(9):
        counted_audit(p, cycle, overall="good")
    counted_audit(p, cycle, overall="inadequate")
    Target.objects.create(measure=TargetMeasure.INADEQUATE_AT_MOST, percent=10)
    [block] = trend(lead_scope(p, cycle))
    assert block.words == ["Target: no more than 10% Inadequate. This cycle: 10% Inadequate: met."]
    # 3 Inadequate of 29 is 10.3%: shown as 10%, as the table shows it, but over the target.
    for _ in range(17):
        counted_audit(p, cycle, overall="good")
    for _ in range(2):
        counted_audit(p, cycle, overall="inadequate")
    [block] = trend(lead_scope(p, cycle))
    assert line(block.table, "Spring")[3:5] == ["3", "29"]
    assert block.words == [
        "Target: no more than 10% Inadequate. This cycle: 10% Inadequate: not met."
    ]


def test_the_committee_reads_no_agreement_drawn_from_fewer_than_three_auditors(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle, overall="good") for _ in range(6)]
    for audit in audits[:3]:
        moderated(p, audit, status=ModerationStatus.AGREED, agreed="good")
    lead = only(moderation(lead_scope(p, cycle)), "moderation-agreement")
    # Exact, within one, kappa, grades compared: three overall grades, all agreed.
    assert line(lead.table, "Spring")[0] == "100%"
    assert line(lead.table, "Spring")[-1] == "3"
    committee = only(moderation(review_scope(cycle, Audience.COMMITTEE)), "moderation-agreement")
    assert line(committee.table, "Spring") == ["Not shown"] * 4
    assert committee.table is not None
    assert committee.table.rows[0].hint.startswith("Not shown: drawn from fewer than 3 auditors")
