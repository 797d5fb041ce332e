"""An auditor never audits a case they hold or manage: checked against every arrangement of
who holds the case, who manages them, and which team the auditor leads."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.rules import auditor_is_independent
from auditloop.cases.models import ChildCase

ROLES = st.sampled_from(list(Role))


@given(
    auditor_role=ROLES,
    auditor_team=st.sampled_from([None, 1, 2]),
    case_team=st.sampled_from([None, 1, 2]),
    holder=st.sampled_from(["auditor", "someone", "nobody"]),
    holders_manager=st.sampled_from(["auditor", "someone", "nobody"]),
)
def test_an_auditor_is_independent_unless_they_hold_or_manage_the_case(
    auditor_role: Role,
    auditor_team: int | None,
    case_team: int | None,
    holder: str,
    holders_manager: str,
) -> None:
    # Unsaved objects with ids set by hand: the rule reads ids only, never the database.
    teams = {n: Team(pk=n, name=f"Team {n}") for n in (1, 2)}
    auditor = StaffMember(pk=10, name="Auditor", role=auditor_role)
    auditor.team = teams[auditor_team] if auditor_team else None
    someone = StaffMember(pk=20, name="Someone", role=Role.TEAM_MANAGER)
    people = {"auditor": auditor, "someone": someone, "nobody": None}
    worker: StaffMember | None
    if holder == "auditor":
        worker = auditor
    elif holder == "someone":
        worker = StaffMember(pk=30, name="Worker", role=Role.PRACTITIONER)
    else:
        worker = None
    if worker is not None and worker is not auditor:
        worker.manager = people[holders_manager]
    case = ChildCase(la_child_id="X1", cohort="CP")
    case.allocated_team = teams[case_team] if case_team else None
    case.allocated_worker = worker

    holds = holder == "auditor"
    line_manages = holder == "someone" and holders_manager == "auditor"
    leads_team = (
        auditor_role == Role.TEAM_MANAGER and case_team is not None and auditor_team == case_team
    )
    expected = not (holds or line_manages or leads_team)
    assert auditor_is_independent(auditor=auditor, case=case) is expected
