"""`auditloop training-needs` checks the rules for a cycle, as the button does."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from auditloop.learning.models import TrainingNeed, TrainingRuleKind
from auditloop.learning.services.training import RuleDetails, training_rule_create
from auditloop.learning.tests.training_factories import a_cycle, graded_audit, quality_questions
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_command_raises_the_needs_of_the_current_cycles_once(p: Personas) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    training_rule_create(
        details=RuleDetails(
            name="Voice",
            kind=TrainingRuleKind.DOMAIN_SHARE,
            question=question,
            grade_value=2,
            percent=30,
        ),
        by=p.moderator,
    )
    for _ in range(5):
        graded_audit(p, cycle=cycle, question=question, value=1)
    out = io.StringIO()
    call_command("training_needs", "--today", "2026-06-01", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "cycle": cycle.name,
        "raised": 1,
        "already": 0,
        "too_few": {},
    }
    out = io.StringIO()
    call_command("training_needs", "--cycle", cycle.name, stdout=out)
    assert out.getvalue().strip() == f"{cycle.name}: 0 needs raised, 1 raised before."
    assert TrainingNeed.objects.get().evidence["low"] == 5


def test_the_command_refuses_a_cycle_it_cannot_find(p: Personas) -> None:
    with pytest.raises(CommandError, match="No one cycle is called 'Nope'"):
        call_command("training_needs", "--cycle", "Nope")
