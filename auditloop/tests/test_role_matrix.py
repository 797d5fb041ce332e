"""The roles table of DESIGN.md, walked for one audit and its case file: who reads them, who is
told they do not exist, and that guessing an id in a POST from another service changes nothing.
Every read that is allowed is in the access log; a refused one is not."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.sampling.services.cycles import cycle_create
from auditloop.testing import Personas, make_staff


def _audit(p: Personas, status: str = AuditStatus.SUBMITTED) -> Audit:
    return Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=status,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        submitted_at=timezone.now() if status != AuditStatus.PLANNED else None,
    )


def _who(p: Personas, role: str) -> StaffMember:
    if role == "colleague":
        return make_staff(
            "colleague", "Cal Colleague", Role.PRACTITIONER, p.north_a, manager=p.team_manager
        )
    if role == "outsider_manager":
        return p.outsider_manager
    return p.all_roles()[role]


AUDIT_READERS = {
    "practitioner": 200,
    "team_manager": 200,
    "auditor": 200,
    "moderator": 200,
    "senior_leader": 200,
    "board_member": 404,
    "administrator": 404,
    "data_protection": 404,
    # A partner agency auditor reads only their own audits, on their own pages.
    "partner": 404,
    "outsider": 404,
    "outsider_manager": 404,
    "colleague": 404,
}


@pytest.mark.parametrize(("role", "expected"), AUDIT_READERS.items())
def test_who_reads_a_submitted_audit(p: Personas, role: str, expected: int) -> None:
    audit = _audit(p)
    staff = _who(p, role)
    client = p.client_for(staff)
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == expected
    assert client.get(f"/api/v1/audits/{audit.public_id}").status_code == expected
    logged = AccessLog.objects.filter(user=staff.user, target_id=str(audit.public_id)).count()
    assert logged == (2 if expected == 200 else 0)


@pytest.mark.parametrize("role", ["practitioner", "team_manager"])
def test_the_worker_and_their_manager_do_not_see_an_audit_before_it_is_submitted(
    p: Personas, role: str
) -> None:
    audit = _audit(p, AuditStatus.IN_PROGRESS)
    client = p.client_for(_who(p, role))
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == 404


CASE_READERS = {
    "practitioner": 200,
    "team_manager": 200,
    "auditor": 200,  # auditing it
    "moderator": 200,
    "senior_leader": 200,
    "board_member": 404,
    "partner": 404,
    "outsider": 404,
    "outsider_manager": 404,
    "colleague": 404,
}


@pytest.mark.parametrize(("role", "expected"), CASE_READERS.items())
def test_who_opens_a_case_file(p: Personas, role: str, expected: int) -> None:
    _audit(p)
    staff = _who(p, role)
    response = p.client_for(staff).get(reverse("cases:detail", args=[p.case.public_id]))
    assert response.status_code == expected
    logged = AccessLog.objects.filter(user=staff.user, target_id=str(p.case.public_id)).count()
    assert logged == (1 if expected == 200 else 0)


def test_an_auditor_cannot_open_a_case_file_they_are_not_auditing(p: Personas) -> None:
    response = p.client_for(p.auditor).get(reverse("cases:detail", args=[p.case.public_id]))
    assert response.status_code == 404


# Every change another service's staff might try on this audit, by guessing its id.
GUESSED_POSTS = [
    ("audits:complete", {}),
    ("audits:return", {"reason": "x"}),
    ("audits:submit", {}),
    ("audits:edit", {"strengths": "x"}),
    ("audits:escalation_raise", {"reason": "x"}),
    ("audits:action_create", {"description": "x"}),
    ("audits:feedback_reply", {"text": "x"}),
    ("audits:participant_add", {"participant-role": "practitioner"}),
]


@pytest.mark.parametrize(
    "role", ["outsider", "outsider_manager", "board_member", "administrator", "partner"]
)
@pytest.mark.parametrize(("name", "data"), GUESSED_POSTS)
def test_a_guessed_audit_id_in_a_post_from_outside_is_not_found_and_changes_nothing(
    p: Personas, role: str, name: str, data: dict[str, str]
) -> None:
    audit = _audit(p)
    before = Event.objects.count()
    response = p.client_for(_who(p, role)).post(reverse(name, args=[audit.public_id]), data)
    assert response.status_code == 404
    assert Event.objects.count() == before
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


# A draft (in progress, or returned to its auditor with the lead's reason) is read by its
# auditor and the audit leads over its service only.
DRAFT_READERS = {**dict.fromkeys(AUDIT_READERS, 404), "auditor": 200, "moderator": 200}


@pytest.mark.parametrize(("role", "expected"), DRAFT_READERS.items())
def test_who_reads_a_returned_audit(p: Personas, role: str, expected: int) -> None:
    audit = _audit(p, AuditStatus.IN_PROGRESS)
    Audit.objects.filter(pk=audit.pk).update(return_reason="Check D3 again.")
    client = p.client_for(_who(p, role))
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == expected
    assert client.get(f"/api/v1/audits/{audit.public_id}").status_code == expected


# Planning audits, one or a month at a time, is the audit lead's: it shows children's cases and
# their audits. The administrator holds configuration and no audit content (README roles table).
PLANNING_PAGES = ["audits:create", "sampling:cycle_list", "sampling:cycle_create"]


@pytest.mark.parametrize("name", PLANNING_PAGES)
def test_only_the_audit_lead_plans_audits(p: Personas, name: str) -> None:
    assert p.client_for(p.moderator).get(reverse(name)).status_code == 200
    assert p.client_for(p.administrator).get(reverse(name)).status_code == 403


def test_the_administrator_cannot_plan_a_month_of_a_cycle(p: Personas) -> None:
    with pytest.raises(Refused, match="Only an audit lead"):
        cycle_create(
            name="North 2026",
            services=[p.north],
            starts_on=datetime.date(2026, 4, 1),
            tools=[p.compliance_tool],
            audit_types=["dip_sample"],
            auditors=[p.auditor],
            by=p.administrator,
        )
    cycle = cycle_create(
        name="North 2026",
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool],
        audit_types=["dip_sample"],
        auditors=[p.auditor],
        by=p.moderator,
    )
    for name in ("sampling:month_plan", "sampling:cycle_detail", "sampling:choose"):
        url = reverse(name, args=[cycle.public_id])
        assert p.client_for(p.moderator).get(url).status_code == 200, name
        assert p.client_for(p.administrator).get(url).status_code == 403, name


def test_the_menu_offers_planning_to_the_audit_lead_and_not_the_administrator(
    p: Personas,
) -> None:
    cycles = f'href="{reverse("sampling:cycle_list")}"'
    plan = f'href="{reverse("audits:create")}"'
    lead = p.client_for(p.moderator)
    assert cycles in lead.get(reverse("home")).content.decode()
    assert plan in lead.get(reverse("audits:list")).content.decode()
    admin_home = p.client_for(p.administrator).get(reverse("home")).content.decode()
    assert cycles not in admin_home
    assert plan not in admin_home
