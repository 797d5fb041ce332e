"""The cycle review's figures on how practitioners found being audited."""

from __future__ import annotations

from auditloop.accounts.models import Service
from auditloop.assurance.models import ExperienceResponse
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.blocks import Block, block_by_key
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.tests.review_factories import review_council
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas


def answers(
    cycle: Cycle,
    service: Service,
    n: int,
    *,
    audit_type: str = "dip_sample",
    alongside: str = "agree",
) -> None:
    ExperienceResponse.objects.bulk_create(
        ExperienceResponse(
            cycle=cycle,
            service=service,
            audit_type=audit_type,
            role="practitioner",
            supportive="strongly_agree",
            feedback_useful="agree",
            alongside=alongside,
        )
        for _ in range(n)
    )


def block(cycle: Cycle, audience: str, key: str) -> Block:
    found = block_by_key(cycle_review_sections(review_scope(cycle, audience)), key)
    assert found is not None, key
    return found


def texts(found: Block) -> dict[str, list[str]]:
    assert found.table is not None
    return {
        row.label: [f.text for f in [*row.cells, row.total, row.derived] if f is not None]
        for row in found.table.rows
    }


def test_a_cycle_with_no_answers_says_so(p: Personas) -> None:
    council = review_council(p)

    found = block(council.cycle, "committee", "experience")

    assert found.table is None
    assert "has answered the questions about being audited yet" in found.words[0]


def test_answers_are_counted_by_service_with_the_share_who_agree(p: Personas) -> None:
    council = review_council(p)
    answers(council.cycle, p.north, 6)
    answers(council.cycle, p.north, 5, alongside="neither")

    found = block(council.cycle, "leaders", "experience-alongside")

    assert texts(found) == {"North": ["0", "6", "5", "0", "0", "11", "55%"]}


def test_a_service_with_fewer_answers_than_the_threshold_is_withheld(p: Personas) -> None:
    council = review_council(p)
    answers(council.cycle, p.north, 6)
    answers(council.cycle, p.south, 2)
    council.cycle.services.add(p.south)

    found = block(council.cycle, "leaders", "experience-supportive")

    assert texts(found)["South"] == ["[c]"] * 7
    assert texts(found)["North"] == ["6", "0", "0", "0", "0", "6", "100%"]


def test_a_small_count_is_withheld_for_leaders_as_well_as_the_committee(p: Personas) -> None:
    council = review_council(p)
    answers(council.cycle, p.north, 9)
    answers(council.cycle, p.north, 1, alongside="strongly_disagree")

    for audience in ("leaders", "committee"):
        row = texts(block(council.cycle, audience, "experience-alongside"))["North"]
        assert row[4] == "[c]", audience
        assert "1" not in row


def test_the_trend_sets_this_cycle_beside_the_last(p: Personas) -> None:
    council = review_council(p)
    answers(council.last, p.north, 5, alongside="disagree")
    answers(council.cycle, p.north, 5)

    found = block(council.cycle, "committee", "experience-trend")

    assert found.chart is not None
    alongside = next(s for s in found.chart.series if s.name == "Alongside")
    assert alongside.values == [0.0, 100.0]
    assert found.chart.categories == [council.last.name, f"{council.cycle.name} (this cycle)"]


def test_answers_are_counted_by_type_of_audit(p: Personas) -> None:
    council = review_council(p)
    answers(council.cycle, p.north, 5, audit_type="deep_dive")

    rows = texts(block(council.cycle, "committee", "experience-types"))

    assert rows["Deep dive: Alongside"] == ["0", "5", "0", "0", "0", "5", "100%"]
    assert not any(label.startswith("Dip sample") for label in rows)
