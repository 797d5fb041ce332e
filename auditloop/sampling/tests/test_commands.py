"""`auditloop sample` and `auditloop cycle-remind` on the command line."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from auditloop.cases.models import Cohort
from auditloop.sampling.models import Cycle, ReminderSent, SampleDraw
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.rules.statistics import margin_of_error
from auditloop.sampling.selectors.draws import draw_preview
from auditloop.sampling.services.draws import DrawPlan, draw_save
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas


def _run(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("sample", *args, stdout=out)
    parsed: dict[str, Any] = json.loads(out.getvalue())
    return parsed


def test_sample_prints_population_margin_and_child_ids_in_draw_order(p: Personas) -> None:
    cases_make(60, team=p.north_a, prefix="CP", cohort=Cohort.CP)
    cases_make(20, team=p.north_b, prefix="CIN", cohort=Cohort.CIN)
    result = _run("--cohort", "CP", "--size", "30", "--seed", "7", "--json")
    assert result["population"] == 61  # 60 new CP cases and the practitioner's
    assert len(result["child_ids"]) == 30
    assert all(not child.startswith("CIN") for child in result["child_ids"])
    expected = margin_of_error(sample=30, population=61, confidence=0.95)
    assert expected is not None
    assert result["margin_of_error"] == pytest.approx(expected, abs=1e-6)
    # The same draw as the web page's, in the same order.
    preview = draw_preview(DrawSpec(seed=7, cohort="CP", size=30))
    assert result["child_ids"] == preview.chosen_child_ids()
    assert _run("--cohort", "CP", "--size", "30", "--seed", "7", "--json") == result
    assert not SampleDraw.objects.exists()


def test_sample_by_confidence_and_margin_uses_cochrans_size(p: Personas) -> None:
    cases_make(1000, team=p.north_b, prefix="CLA", cohort=Cohort.CLA)
    result = _run("--cohort", "CLA", "--margin", "5", "--seed", "1", "--json")
    assert result["population"] == 1000
    assert len(result["child_ids"]) == 278


def test_sample_stratified_by_team_with_equal_allocation(p: Personas) -> None:
    cases_make(40, team=p.north_a, prefix="A", cohort=Cohort.CIN)
    cases_make(5, team=p.north_b, prefix="B", cohort=Cohort.CIN)
    result = _run(
        "--cohort", "CIN", "--size", "12", "--stratify", "team", "--allocation", "equal",
        "--service", "North", "--seed", "3", "--json",
    )  # fmt: skip
    chosen = {s["label"]: s["chosen"] for s in result["strata"]}
    assert chosen == {"North A": 7, "North B": 5}


def test_sample_leaves_out_cases_the_named_auditor_holds_or_manages(p: Personas) -> None:
    result = _run(
        "--cohort", "CP", "--size", "5", "--auditor", "manager@northshire.example", "--json"
    )
    assert result["population"] == 0
    assert result["excluded"] == {"Held or managed by the auditor": 1}


def test_sample_saves_only_when_asked(p: Personas) -> None:
    cases_make(10, team=p.north_b, prefix="CL", cohort=Cohort.CL)
    result = _run("--cohort", "CL", "--percentage", "50", "--seed", "9", "--json", "--save")
    draw = SampleDraw.objects.get()
    assert result["draw"] == str(draw.public_id)
    stored = [c.case.la_child_id for c in draw.chosen.select_related("case")]
    assert stored == result["child_ids"]
    assert len(stored) == 5


def test_sample_refuses_an_unknown_team(p: Personas) -> None:
    with pytest.raises(CommandError, match="No team is called"):
        _run("--size", "3", "--team", "Nowhere", "--json")


def test_sample_prints_a_readable_summary_without_json(p: Personas) -> None:
    out = io.StringIO()
    call_command("sample", "--cohort", "CP", "--size", "1", "--seed", "2", stdout=out)
    text = out.getvalue()
    assert "Population: 1" in text
    assert "00123" in text


def test_cycle_remind_is_idempotent_per_day(p: Personas, cycle: Cycle) -> None:
    cases_make(3, team=p.north_b, prefix="NB")
    draw_save(
        spec=DrawSpec(seed=1, size=2),
        by=p.moderator,
        plan=DrawPlan(
            cycle=cycle,
            audit_type="dip_sample",
            tool_version=p.compliance_tool,
            planned_month=datetime.date(2026, 4, 1),
            create_audits=True,
        ),
    )
    args = ("cycle_remind", "--today", "2026-05-02", "--json")
    first, second = io.StringIO(), io.StringIO()
    call_command(*args, stdout=first)
    call_command(*args, stdout=second)
    assert json.loads(first.getvalue()) == {
        "due_soon": 0,
        "overdue": 2,
        "auditors": 2,
        "late_to_managers": 0,
        "late_to_leads": 0,
        "late_people_told": 0,
        "actions_overdue": 0,
        "action_owners": 0,
    }
    assert json.loads(second.getvalue()) == {
        "due_soon": 0,
        "overdue": 0,
        "auditors": 0,
        "late_to_managers": 0,
        "late_to_leads": 0,
        "late_people_told": 0,
        "actions_overdue": 0,
        "action_owners": 0,
    }
    assert ReminderSent.objects.count() == 2
