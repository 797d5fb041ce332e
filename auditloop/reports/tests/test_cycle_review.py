"""The cycle review's sections and figures, for the committee and for the leaders."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from auditloop.accounts.models import Role, Team
from auditloop.audits.models import Audit, AuditStatus, Escalation
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageStatus,
    LearningPoint,
    LearningPointKind,
    Theme,
    TrainingEvent,
    TrainingNeed,
)
from auditloop.learning.redaction import engine
from auditloop.learning.tests.team_picture_factories import counted_audit
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.blocks import Block, Section, block_by_key, blocks_of
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.tests.review_factories import ReviewCouncil, review_council
from auditloop.sampling.models import SampleDraw
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

SECTION_KEYS = [
    "summary",
    "activity",
    "moderation",
    "compliance",
    "quality",
    "thematic",
    "safeguarding",
    "learning",
    "family",
    "tool",
    "next",
]


def test_the_review_has_the_eleven_sections_of_the_board_report_in_order(p: Personas) -> None:
    council = review_council(p)
    sections = cycle_review_sections(review_scope(council.cycle, "committee"))
    assert [s.key for s in sections] == SECTION_KEYS
    assert [s.heading.split(" ", 1)[0] for s in sections] == [f"{n}." for n in range(1, 12)]
    keys = [b.key for b in blocks_of(sections)]
    assert len(keys) == len(set(keys))


def sections_for(council: ReviewCouncil, audience: str) -> list[Section]:
    return cycle_review_sections(review_scope(council.cycle, audience))


def block(sections: list[Section], key: str) -> Block:
    found = block_by_key(sections, key)
    assert found is not None, key
    return found


def rows(found: Block) -> dict[str, list[str]]:
    assert found.table is not None
    return {
        row.label: [f.text for f in [*row.cells, row.total, row.derived] if f is not None]
        for row in found.table.rows
    }


def words(found: Block | Section) -> str:
    return " ".join(found.words)


def test_the_summary_sets_the_cycle_against_the_last_and_the_targets(p: Personas) -> None:
    council = review_council(p)
    trend = block(sections_for(council, "leaders"), "trend")
    assert rows(trend) == {
        "October 2025 to March 2026": ["0", "3", "0", "3", "6", "50%"],
        "April to September 2026 (this cycle)": ["2", "8", "1", "2", "13", "77%"],
    }
    assert trend.words[:2] == [
        "This cycle: 15% Inadequate, 77% Good or better.",
        "The last cycle (October 2025 to March 2026): 50% Inadequate, 50% Good or better. "
        "Inadequate down 35 percentage points; Good or better up 27 percentage points.",
    ]
    said = words(trend)
    assert "Target: no more than 10% Inadequate. This cycle: 15% Inadequate: not met." in said
    assert "Target: at least 40% Good or better. This cycle: 77% Good or better: met." in said


def test_the_committee_is_not_given_shares_worked_out_from_small_counts(p: Personas) -> None:
    council = review_council(p)
    trend = block(sections_for(council, "committee"), "trend")
    assert trend.suppressed
    assert "This cycle's shares are not shown" in words(trend)
    assert "%" not in " ".join(w for w in trend.words if "Target" not in w)


def test_a_cycle_with_no_earlier_one_says_there_is_nothing_to_compare_with(p: Personas) -> None:
    council = review_council(p)
    council.last.cycle_audits.all().delete()
    trend = block(sections_for(council, "leaders"), "trend")
    assert "There is no earlier cycle of these services with grades to compare with." in words(
        trend
    )
    assert list(rows(trend)) == ["April to September 2026 (this cycle)"]


def test_the_three_key_messages_are_their_published_text(p: Personas) -> None:
    council = review_council(p, key_messages=4)
    said = words(block(sections_for(council, "leaders"), "key-messages"))
    assert "1. Key message 1: Plans in Kestrelmoor were clearer (message 1)." in said
    assert "3. Key message 3" in said
    assert "Key message 4" not in said
    assert "Draft title" not in said
    assert "fewer than" not in said


def test_fewer_than_three_key_messages_are_said_to_be_fewer(p: Personas) -> None:
    council = review_council(p, key_messages=2)
    said = words(block(sections_for(council, "committee"), "key-messages"))
    assert "Only 2 key messages have been published for this cycle" in said
    assert "Plans in [team] were clearer" in said


def test_no_key_message_is_said_in_words(p: Personas) -> None:
    council = review_council(p, key_messages=0)
    found = block(sections_for(council, "committee"), "key-messages")
    assert found.words == [
        "No key message has been published for this cycle yet: the review gives the first "
        "3 published (from the Key messages pages)."
    ]


def test_a_name_of_staff_who_joined_since_publishing_is_redacted_from_both_versions(
    p: Personas,
) -> None:
    council = review_council(p, key_messages=0)
    KeyMessage.objects.create(
        title="Later",
        cycle=council.cycle,
        status=KeyMessageStatus.PUBLISHED,
        author=p.moderator,
        published_text={"title": "Supervision", "what_we_found": "Quentin Abernathy-Cole helped."},
    )
    make_staff("quentin", "Quentin Abernathy-Cole", Role.PRACTITIONER, p.north_a)
    for audience in ("committee", "leaders"):
        said = words(block(sections_for(council, audience), "key-messages"))
        assert "1. Supervision: " in said
        assert "Quentin" not in said and "Abernathy" not in said


def test_a_teams_key_message_is_in_the_leaders_version_only(p: Personas) -> None:
    council = review_council(p, key_messages=0)
    KeyMessage.objects.create(
        title="Team",
        cycle=council.cycle,
        team=p.north_a,
        service=p.north,
        status=KeyMessageStatus.PUBLISHED,
        author=p.moderator,
        published_text={"title": "For one team", "what_we_found": "Visits were on time."},
    )
    assert "For one team" in words(block(sections_for(council, "leaders"), "key-messages"))
    assert "For one team" not in words(block(sections_for(council, "committee"), "key-messages"))


def test_activity_counts_the_draws_exclusions_and_who_took_part(p: Personas) -> None:
    council = review_council(p)
    sections = sections_for(council, "leaders")
    assert rows(block(sections, "exclusions")) == {
        "Audited in the last 12 months": ["6", "6"],
        "Held or managed": ["1", "1"],
    }
    people = words(block(sections, "auditors-and-moderators"))
    assert people.startswith("1 auditor completed")
    assert "0 moderators" in people


def test_thematic_and_deep_dive_audits_are_counted_by_theme(p: Personas) -> None:
    council = review_council(p)
    section = sections_for(council, "leaders")[5]
    assert "13 audits submitted: 5 thematic, 8 deep dive." in words(section)
    assert rows(block([section], "thematic")) == {
        "Deep dive: no theme given": ["2", "3", "1", "2", "8", "63%"],
        "Thematic: Neglect": ["0", "5", "0", "0", "5", "100%"],
    }


def test_the_thematic_numbers_do_not_give_away_a_row_the_table_withholds(p: Personas) -> None:
    council = review_council(p)
    # One deep dive on its own theme: its row is withheld, so the number of deep dives (the
    # rows shown and 1) and the whole number (the thematic audits shown and 9) are not given.
    alone = counted_audit(p, council.cycle, team=p.north_b, overall="inadequate")
    Audit.objects.filter(pk=alone.pk).update(theme="Domestic abuse")
    section = sections_for(council, "leaders")[5]
    said = words(section)
    assert "5 thematic, deep dive (how many is not given)" in said
    assert "9" not in said and "14" not in said
    assert rows(block([section], "thematic"))["Deep dive: Domestic abuse"][-2:] == ["[c]", "[c]"]


def test_the_committee_is_not_given_a_small_number_of_thematic_audits(p: Personas) -> None:
    council = review_council(p)
    # Three thematic audits, none with an overall grade: no row of theirs in the table.
    Audit.objects.filter(pk__in=[a.pk for a in council.audits[6:8]]).delete()
    Audit.objects.filter(team=p.north_b).update(overall_grade=None)
    committee = words(sections_for(council, "committee")[5])
    assert "thematic (how many is not given), 8 deep dive" in committee
    assert "11" not in committee
    leaders = words(sections_for(council, "leaders")[5])
    assert "11 audits submitted: 3 thematic, 8 deep dive." in leaders


def test_a_theme_written_with_a_team_or_a_persons_name_names_neither_to_the_committee(
    p: Personas,
) -> None:
    council = review_council(p)
    Audit.objects.filter(theme="Neglect").update(
        theme="Neglect in Kestrelmoor (Zebedee Quarrington)"
    )
    committee = rows(block(sections_for(council, "committee"), "thematic"))
    assert "Thematic: Neglect in [team] ([team manager])" in committee
    leaders = rows(block(sections_for(council, "leaders"), "thematic"))
    assert "Thematic: Neglect in Kestrelmoor ([team manager])" in leaders


def test_safeguarding_counts_escalations_and_inadequate_audits_by_team(p: Personas) -> None:
    council = review_council(p)
    sections = sections_for(council, "leaders")
    assert rows(block(sections, "escalations")) == {"Kestrelmoor": ["0", "1", "1"]}
    assert rows(block(sections, "inadequate")) == {"Kestrelmoor": ["2", "0", "2"]}


def test_the_committee_sees_safeguarding_by_service_with_small_counts_hidden(
    p: Personas,
) -> None:
    council = review_council(p)
    sections = sections_for(council, "committee")
    assert rows(block(sections, "escalations")) == {"North": ["0", "[c]", "[c]"]}
    assert rows(block(sections, "inadequate")) == {"North": ["[c]", "0", "[c]"]}


WITHHELD_ROW_BLOCKS = ["inadequate", "escalations", "training-needs"]


def withheld_rows(found: Block) -> set[str]:
    """The rows of a block's table whose every figure is suppressed."""
    return {label for label, shown in rows(found).items() if set(shown) == {"[c]"}}


def one_more_inadequate_audit_in_quaysedge(p: Personas, council: ReviewCouncil) -> None:
    """Quaysedge (South A) gets a third audit, Inadequate, with an escalation and a training
    need: still too few audits to show."""
    audit = counted_audit(p, council.cycle, team=p.south_a, overall="inadequate")
    Escalation.objects.create(audit=audit, raised_by=p.auditor, reason="Not seen.")
    TrainingNeed.objects.create(cycle=council.cycle, team=p.south_a, title="Planning")


@pytest.mark.parametrize("audience", ["leaders", "committee"])
def test_safeguarding_and_training_needs_withhold_the_rows_the_overall_grades_withhold(
    p: Personas, audience: str
) -> None:
    council = review_council(p)
    one_more_inadequate_audit_in_quaysedge(p, council)
    sections = sections_for(council, audience)
    small = "Quaysedge" if audience == "leaders" else "South"
    assert small in withheld_rows(block(sections, "grades-overall"))
    for key in WITHHELD_ROW_BLOCKS:
        assert small in withheld_rows(block(sections, key)), key


def test_the_committee_withholds_a_service_whose_audits_are_of_too_few_peoples_cases(
    p: Personas,
) -> None:
    council = review_council(p)
    # South: seven audits, but of two people's cases only.
    worker = Audit.objects.filter(team=p.south_a).first()
    assert worker is not None
    for _ in range(5):
        audit = counted_audit(
            p, council.cycle, team=p.south_a, overall="inadequate", practitioner=worker.practitioner
        )
    Escalation.objects.create(audit=audit, raised_by=p.auditor, reason="Not seen.")
    for n in range(5):
        TrainingNeed.objects.create(cycle=council.cycle, team=p.south_a, title=f"Need {n}")
    sections = sections_for(council, "committee")
    assert "South" in withheld_rows(block(sections, "grades-overall"))
    for key in WITHHELD_ROW_BLOCKS:
        assert "South" in withheld_rows(block(sections, key)), key


def test_a_team_with_an_escalation_but_no_audit_that_counts_is_withheld(p: Personas) -> None:
    council = review_council(p)
    harbourside = Team.objects.create(service=p.south_a.service, name="Harbourside")
    in_progress = counted_audit(
        p, council.cycle, team=harbourside, status=AuditStatus.IN_PROGRESS, overall="inadequate"
    )
    Escalation.objects.create(audit=in_progress, raised_by=p.auditor, reason="Not seen.")
    found = block(sections_for(council, "leaders"), "escalations")
    assert "Harbourside" in withheld_rows(found)


def test_no_escalation_is_said_in_words(p: Personas) -> None:
    council = review_council(p)
    Escalation.objects.all().delete()
    found = block(sections_for(council, "leaders"), "escalations")
    assert found.table is None
    assert "raised an escalation" in words(found)


def test_learning_counts_briefings_training_needs_and_attendance(p: Personas) -> None:
    council = review_council(p)
    sections = sections_for(council, "leaders")
    assert "2 key messages (7-minute briefings) were published" in words(
        block(sections, "briefings")
    )
    assert rows(block(sections, "training-needs")) == {
        "Fernhallow": ["1", "0", "0", "0", "1"],
        "Kestrelmoor": ["0", "0", "1", "0", "1"],
    }
    held = words(block(sections, "training-events"))
    assert "1 training event recorded against the cycle's training needs (1 held so far)" in held
    impact = words(block(sections, "training-impact"))
    assert "Planning workshop (1 June 2026): too few audits" in impact


def test_the_committee_names_a_training_event_by_its_date_not_its_title(p: Personas) -> None:
    council = review_council(p)
    impact = words(block(sections_for(council, "committee"), "training-impact"))
    assert "The training of 1 June 2026" in impact
    assert "Planning workshop" not in impact


def test_the_next_six_months_are_the_next_cycles_dates_tools_and_quotas(p: Personas) -> None:
    council = review_council(p)
    said = words(sections_for(council, "committee")[-1])
    assert "October 2026 to March 2027 runs from 1 October 2026 to 31 March 2027." in said
    assert "Audit tools: Quality deep dive (version 1)." in said
    assert "Every team: 10 dip sample audits a month." in said
    assert "Each team manager: 2 deep dive audits a month." in said


def test_with_no_next_cycle_planned_the_review_says_so(p: Personas) -> None:
    council = review_council(p)
    council.upcoming.delete()
    section = sections_for(council, "committee")[-1]
    assert section.words == ["No next cycle of these services is planned yet."]


def test_the_committee_names_services_and_the_leaders_name_teams(p: Personas) -> None:
    council = review_council(p)
    teams = set(Team.objects.values_list("name", flat=True))

    def labels(audience: str) -> set[str]:
        return {
            row.label
            for b in blocks_of(sections_for(council, audience))
            if b.table is not None
            for row in b.table.rows
        } | {
            category
            for b in blocks_of(sections_for(council, audience))
            if b.chart is not None
            for category in b.chart.categories
        }

    assert labels("committee") & teams == set()
    assert {"North", "South"} <= labels("committee")
    assert teams <= labels("leaders")


@pytest.mark.parametrize("audience", ["committee", "leaders"])
def test_counting_the_review_asks_as_many_queries_however_much_data(
    p: Personas, audience: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    council = review_council(p)
    more_events(council, 3)
    # The redactor is built afresh each time (it is kept while the names stay the same), and
    # so is the scope, as for each build (its figures share what they count).
    monkeypatch.setattr(engine, "_cached", None)
    with CaptureQueriesContext(connection) as few:
        cycle_review_sections(review_scope(council.cycle, audience))
    grow(p, council)
    monkeypatch.setattr(engine, "_cached", None)
    with CaptureQueriesContext(connection) as many:
        cycle_review_sections(review_scope(council.cycle, audience))
    assert len(many) == len(few)


def more_events(council: ReviewCouncil, n: int) -> None:
    need = TrainingNeed.objects.filter(cycle=council.cycle).first()
    assert need is not None
    for i in range(n):
        event = TrainingEvent.objects.create(
            title=f"Workshop {i}", held_on=datetime.date(2026, 7, 1 + i)
        )
        need.events.add(event)


def grow(p: Personas, council: ReviewCouncil) -> None:
    """More of everything the review counts: audits of every team, escalations, learning
    points, key messages, needs, events, draws, targets."""
    theme, _ = Theme.objects.get_or_create(name="Voice of the child")
    for team in (p.north_a, p.north_b, p.south_a):
        for overall in ("good", "inadequate", "outstanding"):
            audit = counted_audit(p, council.cycle, team=team, overall=overall)
            Escalation.objects.create(audit=audit, raised_by=p.auditor, reason="Unsafe.")
            point = LearningPoint.objects.create(
                audit=audit, kind=LearningPointKind.CONCERN, text="Plan", author=p.auditor
            )
            point.themes.add(theme)
        TrainingNeed.objects.create(cycle=council.cycle, team=team, title="More")
    KeyMessage.objects.create(
        title="More",
        cycle=council.cycle,
        service=p.south,
        status=KeyMessageStatus.PUBLISHED,
        author=p.moderator,
        published_text={"title": "More"},
    )
    more_events(council, 2)
    SampleDraw.objects.create(
        cycle=council.cycle, seed=2, population_size=9, size=3, exclusions={"Other": [9]}
    )
    Target.objects.create(measure=TargetMeasure.GOOD_AT_LEAST, percent=50, service=p.south)
