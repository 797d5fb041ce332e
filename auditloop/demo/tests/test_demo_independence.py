"""The demo council chooses auditors by the product's independence rule, not a rule of its own,
so that the demo data shows what the product does."""

from __future__ import annotations

from auditloop.accounts.models import Role
from auditloop.demo.council import CaseRef, Council

LEADER, MANAGER, WORKER, OTHER_MANAGER = 1, 2, 3, 4
TEAM, OTHER_TEAM = 10, 11


def _council() -> Council:
    return Council(
        role_of={
            LEADER: Role.SENIOR_LEADER,
            MANAGER: Role.TEAM_MANAGER,
            WORKER: Role.PRACTITIONER,
            OTHER_MANAGER: Role.TEAM_MANAGER,
        },
        team_of={LEADER: None, MANAGER: TEAM, WORKER: TEAM, OTHER_MANAGER: OTHER_TEAM},
        manager_of={LEADER: None, MANAGER: LEADER, WORKER: MANAGER, OTHER_MANAGER: LEADER},
    )


CASE = CaseRef(pk=1, cohort="CIN", team_id=TEAM, worker_id=WORKER)


def test_nobody_audits_a_case_they_hold_or_whose_worker_they_manage() -> None:
    council = _council()
    assert not council.may_audit(WORKER, CASE)
    assert not council.may_audit(MANAGER, CASE)


def test_the_managers_own_manager_may_audit_as_in_the_product() -> None:
    assert _council().may_audit(LEADER, CASE)


def test_a_team_manager_of_another_team_may_audit() -> None:
    assert _council().may_audit(OTHER_MANAGER, CASE)
