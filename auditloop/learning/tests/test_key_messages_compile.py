from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import override_settings

from auditloop.accounts.models import Role
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import AuditStatus, AuditType
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.learning.models import KeyMessageStatus, LearningPointKind
from auditloop.learning.rules.key_messages import (
    Candidate,
    ScopeCounts,
    ThemeCount,
    counts_figures,
    example_shortened,
    examples_chosen,
    transition_refusal,
)
from auditloop.learning.selectors.key_messages import Scope
from auditloop.learning.services.key_messages import key_message_compile
from auditloop.learning.tests.key_message_factories import (
    counted_team,
    graded_questions,
    make_counted_audit,
    make_cycle,
    make_point,
)
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

SPRING = datetime.date(2026, 3, 1)
AUTUMN = datetime.date(2025, 9, 1)


def _domain(figures: dict[str, Any], n: int) -> dict[str, Any]:
    domain: dict[str, Any] = figures["domains"][n]
    return domain


def test_compiling_counts_the_scopes_submitted_audits_and_their_learning_points(
    p: Personas,
) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    audits = counted_team(p, cycle, 4, answers=["good", "requires_improvement"])
    audits.append(
        make_counted_audit(p, cycle, overall="inadequate", answers=["outstanding", "inadequate"])
    )
    first, second = graded_questions(p)[:2]
    make_point(audits[0], question=first, themes=["Voice of the child"])
    make_point(audits[1], question=first, themes=["Voice of the child"])
    make_point(audits[2], kind=LearningPointKind.CONCERN, question=second, themes=["Drift"])
    # Not counted: a draft, a calibration exercise's audit, another team's, another cycle's.
    make_counted_audit(p, cycle, status=AuditStatus.IN_PROGRESS, answers=["inadequate"])
    make_counted_audit(p, cycle, audit_type=AuditType.CALIBRATION, answers=["inadequate"])
    make_counted_audit(p, cycle, team=p.north_b, answers=["inadequate"])
    other = make_cycle("Winter 2026", SPRING + datetime.timedelta(days=10), [p.north])
    make_counted_audit(p, other, answers=["inadequate"])

    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))

    f = message.figures
    assert f["audits"] == 5
    assert f["suppressed"] is False
    # Four Good and one Inadequate, two good practice points and one concern: every one a
    # count from 1 to 4, so none is shown to the team, nor a total or share that gives it.
    assert (f["good_or_better_audits"], f["requires_improvement_or_worse_audits"]) == (None, None)
    assert (f["good_or_better_share"], f["requires_improvement_or_worse_share"]) == (None, None)
    assert (f["good_practice_points"], f["concern_points"], f["learning_points"]) == (None,) * 3
    assert set(f["suppressed_fields"]) >= {"good_or_better_audits", "learning_points"}
    # Each domain's five grades all fall one way: shown.
    assert _domain(f, 0)["domain"] == first.text
    assert (_domain(f, 0)["audits"], _domain(f, 0)["good_or_better"]) == (5, 5)
    assert _domain(f, 0)["good_or_better_share"] == 100
    assert _domain(f, 1)["requires_improvement_or_worse"] == 5
    assert _domain(f, 1)["requires_improvement_or_worse_share"] == 100
    assert f["strongest_practice"][0] == first.text
    assert f["areas_for_development"][0] == second.text
    themes = {t["theme"]: t for t in f["themes"]}
    # A theme's points from fewer than five audits are withheld whole.
    assert themes["Voice of the child"]["good_practice_points"] is None
    assert themes["Voice of the child"]["audits"] is None
    assert themes["Voice of the child"]["suppressed"] == [
        "good_practice_points",
        "concern_points",
        "audits",
    ]
    assert f["themes_development"] == []
    assert message.status == KeyMessageStatus.DRAFT
    assert "5 audits of North A" in message.what_we_found


def test_compiling_leaves_out_the_audits_the_lead_is_moderating_blind(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    audits = counted_team(p, cycle, 6, answers=["good"])
    make_point(audits[0], text="Seen alone at every visit, in their own words.")
    make_point(audits[1], text="The child's bedroom was seen and described in detail.")
    Moderation.objects.create(
        audit=audits[0],
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=p.moderator,
    )
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    assert message.figures["audits"] == 5
    # One learning point counted: a small count, so not shown (None); the examples say which.
    assert message.figures["learning_points"] is None
    texts = " ".join(str(e["text"]) for e in message.examples)
    assert "Seen alone at every visit" not in texts
    assert "bedroom was seen" in texts
    assert {point.audit_id for point in message.source_points.all()} == {audits[1].pk}


def test_the_grade_counted_is_the_agreed_one_where_moderation_set_one(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, cycle, 5, answers=["good"], agreed=["inadequate"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    assert _domain(message.figures, 0)["requires_improvement_or_worse_share"] == 100


def test_the_figures_hold_no_names_no_child_ids_and_no_audit_ids(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    audits = counted_team(p, cycle, 5, answers=["good"])
    make_point(audits[0], text="Pat Practitioner saw child 00123 alone.")
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    frozen = json.dumps(message.figures)
    for leaked in ("Pat", "Practitioner", "00123", str(audits[0].public_id), "Alex"):
        assert leaked not in frozen


def test_the_trend_compares_with_the_previous_cycle_covering_the_same_service(
    p: Personas,
) -> None:
    autumn = make_cycle("Autumn 2025", AUTUMN, [p.north])
    counted_team(p, autumn, 5, answers=["good"])
    counted_team(p, autumn, 5, overall="inadequate", answers=["inadequate"])
    # A later cycle of another service only is not the previous one.
    make_cycle("South winter", AUTUMN + datetime.timedelta(days=60), [p.south])
    spring = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, spring, 6, answers=["good"])

    message = key_message_compile(by=p.moderator, scope=Scope(cycle=spring, team=p.north_a))

    trend = message.figures["trend"]
    assert trend["previous_cycle"] == "Autumn 2025"
    assert trend["comparable"] is True
    assert trend["audits_change"] == -4
    assert trend["good_or_better_change"] == 50  # 100% now, 50% before
    assert trend["domains"][0]["good_or_better_change"] == 50
    assert message.figures["previous"]["audits"] == 10
    assert "up by 50 percentage points" in message.what_we_found


def test_the_previous_cycle_of_every_service_counts_only_the_services_covered_now(
    p: Personas,
) -> None:
    p.moderator.services.add(p.south)
    autumn = make_cycle("Autumn 2025", AUTUMN, [p.north, p.south])
    counted_team(p, autumn, 5, answers=["good"])
    counted_team(p, autumn, 5, team=p.south_a, answers=["good"])
    spring = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, spring, 5, answers=["good"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=spring))
    assert message.figures["previous"]["audits"] == 5
    assert message.figures["trend"]["audits_change"] == 0


@override_settings(AUDITLOOP_SMALL_GROUP_MIN=5)
def test_a_scope_with_fewer_audits_than_the_threshold_has_its_figures_suppressed(
    p: Personas,
) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    audits = counted_team(p, cycle, 4, answers=["good"])
    make_point(audits[0])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    assert message.figures["suppressed"] is True
    assert "audits" not in message.figures
    assert "domains" not in message.figures
    assert "Fewer than 5 audits" in message.what_we_found
    # The examples still come.
    assert len(message.examples) == 1


@override_settings(AUDITLOOP_SMALL_GROUP_MIN=3)
def test_the_threshold_is_the_setting(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, cycle, 4, answers=["good"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    assert message.figures["suppressed"] is False


def test_the_trend_is_not_compared_when_the_previous_cycle_was_suppressed(p: Personas) -> None:
    autumn = make_cycle("Autumn 2025", AUTUMN, [p.north])
    counted_team(p, autumn, 2, answers=["good"])
    spring = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, spring, 5, answers=["good"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=spring, team=p.north_a))
    assert message.figures["trend"]["comparable"] is False
    assert message.figures["trend"]["reason"] == (
        "too few audits, or audits of too few people's cases, to compare"
    )


def test_a_service_scope_counts_every_team_of_the_service(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north, p.south])
    counted_team(p, cycle, 3, answers=["good"])
    counted_team(p, cycle, 3, team=p.north_b, answers=["good"])
    counted_team(p, cycle, 3, team=p.south_a, answers=["good"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, service=p.north))
    assert message.figures["audits"] == 6
    assert message.service == p.north and message.team is None


def test_examples_are_drawn_redacted_from_both_kinds_across_domains(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    audits = counted_team(p, cycle, 5, answers=["good"])
    first, second, third = graded_questions(p)[:3]
    make_point(audits[0], question=first, text="Pat Practitioner visited weekly.")
    make_point(audits[1], question=first, text="Weekly visits again.")
    make_point(audits[2], question=second, text="Clear plan.")
    make_point(audits[3], kind=LearningPointKind.CONCERN, question=third, text="Drift, N1 1AA.")
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    kinds = [e["kind"] for e in message.examples]
    assert kinds.count("good_practice") == 2 and kinds.count("concern") == 1
    good_domains = {e["domain"] for e in message.examples if e["kind"] == "good_practice"}
    assert good_domains == {first.text, second.text}
    texts = " ".join(e["text"] for e in message.examples)
    assert "Pat" not in texts and "N1 1AA" not in texts
    assert "[social worker] visited weekly." in texts
    assert message.source_points.count() == 3


def test_only_an_audit_lead_over_the_scope_compiles(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north, p.south])
    with pytest.raises(Refused, match="only for services you oversee"):
        key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.south_a))
    # The whole cycle covers South too, which the lead does not oversee.
    with pytest.raises(Refused, match="only for services you oversee"):
        key_message_compile(by=p.moderator, scope=Scope(cycle=cycle))
    with pytest.raises(Refused, match="Only an audit lead"):
        key_message_compile(by=p.senior_leader, scope=Scope(cycle=cycle, team=p.north_a))


def test_compiling_records_one_event_naming_the_fields_not_their_content(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, cycle, 5, answers=["good"])
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    event = Event.objects.get(verb="key_message.compiled", target_id=str(message.public_id))
    assert "what_we_found" in event.content_changed
    assert message.what_we_found not in json.dumps(event.after)


def test_the_rules_allow_only_the_transitions_of_the_table() -> None:
    assert transition_refusal("draft", "in_review") == ""
    assert transition_refusal("in_review", "published") == ""
    assert (
        transition_refusal("draft", "published") == "Only a key message in review can be published."
    )
    assert transition_refusal("withdrawn", "published") != ""


def test_examples_are_chosen_across_domains_before_repeating_one() -> None:
    pool = [
        Candidate(1, "good_practice", "A", "x"),
        Candidate(2, "good_practice", "A", "y"),
        Candidate(3, "good_practice", "B", "z"),
    ]
    assert [c.point_id for c in examples_chosen(pool)] == [1, 3]


def test_a_long_example_is_cut_at_a_sentence() -> None:
    text = "First sentence is here. " * 30
    short = example_shortened(text)
    assert len(short) <= 300 and short.endswith(".")


def _one_inadequate_among_seven(p: Personas) -> Scope:
    """North A's seven audits in a cycle: the first domain graded Good six times and
    Inadequate once."""
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    counted_team(p, cycle, 6, answers=["good", "good"])
    make_counted_audit(p, cycle, answers=["inadequate", "good"])
    return Scope(cycle=cycle, team=p.north_a)


def test_a_domain_with_one_inadequate_among_seven_audits_freezes_neither_the_one_nor_the_six(
    p: Personas,
) -> None:
    message = key_message_compile(by=p.moderator, scope=_one_inadequate_among_seven(p))
    domain = _domain(message.figures, 0)
    assert domain["audits"] == 7
    # 1 is small; 6 would give it away from the 7; the shares would too.
    assert domain["requires_improvement_or_worse"] is None
    assert domain["good_or_better"] is None
    assert domain["good_or_better_share"] is None
    assert domain["requires_improvement_or_worse_share"] is None
    assert domain["suppressed"] == ["good_or_better", "requires_improvement_or_worse"]
    assert _domain(message.figures, 1)["good_or_better"] == 7
    # Not ranked on a share nobody is shown, nor quoted.
    assert _domain(message.figures, 0)["domain"] not in message.figures["areas_for_development"]
    assert "14%" not in message.what_we_found and "86%" not in message.what_we_found


def test_the_compiled_figures_hold_no_suppressed_number(p: Personas) -> None:
    message = key_message_compile(by=p.moderator, scope=_one_inadequate_among_seven(p))
    f = json.loads(json.dumps(message.figures))
    rows = [f, *f["domains"], *f["themes"]]
    listed = [(row, name) for row in rows for name in row.get("suppressed_fields", [])]
    listed += [
        (row, name)
        for row in rows
        if isinstance(row.get("suppressed"), list)
        for name in row["suppressed"]
    ]
    assert listed
    assert all(row[name] is None for row, name in listed)


def test_a_scope_whose_audits_are_of_only_two_peoples_cases_is_withheld_whole(
    p: Personas,
) -> None:
    cycle = make_cycle("Spring 2026", SPRING, [p.north])
    other = make_staff("second", "Second Practitioner", Role.PRACTITIONER, p.north_a)
    for n in range(12):
        make_counted_audit(
            p, cycle, answers=["good"], practitioner=p.practitioner if n % 2 else other
        )
    message = key_message_compile(by=p.moderator, scope=Scope(cycle=cycle, team=p.north_a))
    assert message.figures["suppressed"] is True
    assert message.figures["withheld"] == "people"
    assert "audits" not in message.figures and "domains" not in message.figures
    assert "12" not in json.dumps(message.figures)
    assert "fewer than 3 people's cases" in message.what_we_found


def test_a_withheld_theme_is_listed_after_the_shown_ones_so_its_place_says_nothing() -> None:
    counts = ScopeCounts(
        cycle="Spring 2026",
        audits=20,
        people=6,
        themes=[
            ThemeCount("Drift", concern_points=6, audits=6),
            ThemeCount("Agency", concern_points=20, audits=4),
            ThemeCount("Voice", good_practice_points=9, audits=9),
        ],
    )
    figures = counts_figures(counts, small_group_min=5)
    assert [t["theme"] for t in figures["themes"]] == ["Voice", "Drift", "Agency"]
    assert figures["themes"][2]["concern_points"] is None
    assert [t["theme"] for t in figures["themes_development"]] == ["Drift"]
