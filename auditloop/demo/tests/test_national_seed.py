"""Growing a council to national scale copies whole audits and nothing that belongs to one alone.

`national_rows_add` is the step `seed-demo --size national` adds after building the large
council. Here it runs at a tiny scale (40 cases, 20 audits) on a council of a few audits made
for the purpose: two plain ones to copy, one with an unsafe-child flag and a revisited pair that
must not be copied. The whole national build at a small scale, with its pages, is checked by
test_national_council.py (`pytest -m large`); the full size by scripts/benchmark_pages.py.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Service
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Escalation,
    FeedbackReply,
    Participant,
    ParticipantRole,
    Question,
    ToolVersion,
)
from auditloop.cases.models import ChildCase
from auditloop.demo.national import national_rows_add
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The national council is built on PostgreSQL only (DATABASE_URL=postgres://... to "
    "run it); on SQLite it is refused, as tested below",
)
# 400,000 x SCALE = 40 cases, 200,000 x SCALE = 20 audits.
SCALE = 0.0001


def _answered(audit: Audit, tool: ToolVersion) -> list[Answer]:
    questions = Question.objects.filter(section__version=tool).order_by("section__order", "order")
    return [
        Answer.objects.create(
            audit=audit,
            question=q,
            compliance=(ComplianceAnswer.NO if i == 0 else ComplianceAnswer.YES)
            if q.kind == "compliance"
            else "",
            evidence="Seen in the case notes.",
        )
        for i, q in enumerate(questions)
    ]


def _audit(p: Personas, tool: ToolVersion, **fields: object) -> Audit:
    defaults: dict[str, object] = {
        "case": p.case,
        "tool_version": tool,
        "audit_type": AuditType.DIP_SAMPLE,
        "status": AuditStatus.SUBMITTED,
        "auditor": p.auditor,
        "practitioner": p.practitioner,
        "team": p.north_a,
        "submitted_at": timezone.now(),
    }
    return Audit.objects.create(**(defaults | fields))


@pytest.fixture
def council(personas: Personas) -> dict[str, Audit]:
    p = personas
    cycle = Cycle.objects.create(
        name="Spring", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2026, 9, 30)
    )
    cycle.services.set([p.north])
    cycle.tools.set([p.compliance_tool, p.quality_tool])
    dip = _audit(p, p.compliance_tool, status=AuditStatus.COMPLETED)
    no = _answered(dip, p.compliance_tool)[0]
    Action.objects.create(
        audit=dip,
        answer=no,
        description="Visit the child and see them alone.",
        owner=p.practitioner,
        due_date=datetime.date(2026, 6, 1),
        status=ActionStatus.OPEN,
    )
    deep = _audit(p, p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    _answered(deep, p.quality_tool)
    Participant.objects.create(audit=deep, staff=p.practitioner, role=ParticipantRole.PRACTITIONER)
    FeedbackReply.objects.create(audit=deep, author=p.practitioner, text="Thank you.")
    point = LearningPoint.objects.create(
        audit=deep,
        question=deep.answers.first().question,  # type: ignore[union-attr]
        kind=LearningPointKind.GOOD_PRACTICE,
        text="The child's words are in the plan.",
        author=p.auditor,
    )
    point.themes.set([Theme.objects.get_or_create(name="Voice of the child")[0]])
    for audit in (dip, deep):
        CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=datetime.date(2026, 5, 1))
    flagged = _audit(p, p.compliance_tool, status=AuditStatus.IN_PROGRESS, submitted_at=None)
    Escalation.objects.create(audit=flagged, raised_by=p.auditor, reason="No visit.")
    earlier = _audit(p, p.compliance_tool, case=p.outsider_case, team=p.south_a)
    revisit = _audit(p, p.compliance_tool, case=p.outsider_case, team=p.south_a, revisit_of=earlier)
    return {"dip": dip, "deep": deep, "flagged": flagged, "earlier": earlier, "revisit": revisit}


def _copies() -> list[Audit]:
    """The audits made by the national step: their cases have seven-digit child IDs."""
    return list(
        Audit.objects.filter(case__la_child_id__regex=r"^1\d{6}$")
        .select_related("case")
        .order_by("id")
    )


@on_postgres
def test_the_council_grows_to_the_national_proportions_asked(council: dict[str, Audit]) -> None:
    national_rows_add(seed=1, scale=SCALE)
    assert ChildCase.objects.count() == 40
    assert Audit.objects.count() == 20
    assert len(_copies()) == 15


@on_postgres
def test_only_plain_audits_are_copied_each_onto_a_case_of_its_own(
    council: dict[str, Audit],
) -> None:
    national_rows_add(seed=1, scale=SCALE)
    copies = _copies()
    # In turn: the completed dip sample, then the deep dive; never the flagged audit nor
    # either audit of the revisit.
    assert [a.tool_version_id for a in copies[:2]] == [
        council["dip"].tool_version_id,
        council["deep"].tool_version_id,
    ]
    assert {a.status for a in copies} == {AuditStatus.COMPLETED, AuditStatus.SUBMITTED}
    assert Escalation.objects.count() == 1
    assert Audit.objects.exclude(revisit_of=None).count() == 1
    assert len({a.case_id for a in copies}) == len(copies)
    # Each copy's case is its template's case under a new ID: same team and worker, so the
    # auditor is as independent of it as of the template's.
    for audit in copies:
        assert audit.case.allocated_team_id == council["dip"].case.allocated_team_id
        assert audit.case.allocated_worker_id == council["dip"].case.allocated_worker_id
        assert audit.auditor_id == council["dip"].auditor_id


@on_postgres
def test_copies_answer_their_own_tools_questions_and_act_on_their_own_answers(
    council: dict[str, Audit],
) -> None:
    national_rows_add(seed=1, scale=SCALE)
    assert not Answer.objects.exclude(
        question__section__version_id=F("audit__tool_version_id")
    ).exists()
    for audit in _copies():
        template = (
            council["dip"]
            if audit.tool_version_id == council["dip"].tool_version_id
            else (council["deep"])
        )
        assert audit.answers.count() == template.answers.count()
        assert audit.actions.count() == template.actions.count()
        assert audit.participants.count() == template.participants.count()
        assert audit.replies.count() == template.replies.count()
        assert list(
            LearningPoint.objects.filter(audit=audit).values_list("text", "themes__name")
        ) == list(LearningPoint.objects.filter(audit=template).values_list("text", "themes__name"))
    assert Action.objects.count() == 1 + 8
    assert not Action.objects.exclude(answer__audit_id=F("audit_id")).exists()


@on_postgres
def test_copies_are_planned_in_their_templates_cycle_by_hand(council: dict[str, Audit]) -> None:
    national_rows_add(seed=1, scale=SCALE)
    links = CycleAudit.objects.filter(audit__in=_copies())
    assert links.count() == 15
    assert set(links.values_list("cycle__name", "planned_month")) == {
        ("Spring", datetime.date(2026, 5, 1))
    }
    assert not links.exclude(draw=None).exists()


@on_postgres
def test_the_same_seed_gives_the_same_public_ids(council: dict[str, Audit]) -> None:
    with transaction.atomic():
        national_rows_add(seed=1, scale=SCALE)
        first = [(str(a.public_id), str(a.case.public_id)) for a in _copies()]
        transaction.set_rollback(True)
    national_rows_add(seed=1, scale=SCALE)
    assert [(str(a.public_id), str(a.case.public_id)) for a in _copies()] == first
    assert len(first) == 15


@on_postgres
def test_a_moderator_opens_the_audits_list_and_a_copied_audit(
    council: dict[str, Audit], personas: Personas
) -> None:
    national_rows_add(seed=1, scale=SCALE)
    client = personas.client_for(personas.moderator)
    assert client.get(reverse("audits:list")).status_code == 200
    copy = _copies()[-1]
    response = client.get(reverse("audits:detail", kwargs={"public_id": copy.public_id}))
    assert response.status_code == 200
    assert (
        client.get("/api/v1/audits").json()["count"]
        == Audit.objects.filter(team__service=personas.north).count()
    )


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="The refusal is SQLite's; PostgreSQL builds it"
)
def test_sqlite_refuses_the_national_council_saying_why_and_what_to_use() -> None:
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", "--size", "national")
    message = str(refused.value)
    assert "PostgreSQL only" in message
    assert "DATABASE_URL" in message
    assert "--size large" in message
    assert not Service.objects.exists()


def test_the_national_council_is_always_built_at_full_size() -> None:
    with pytest.raises(CommandError, match="always built at full size"):
        call_command("seed_demo", "--size", "national", "--scale", "0.01")
    assert not Service.objects.exists()
