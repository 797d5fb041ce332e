"""An auditor never audits a case they hold or manage: checked against every arrangement of
who holds the case, who manages them, and which team the auditor leads. Whoever judges a
finished audit is independent of the case now and of the work audited, wherever the case has
moved since."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.models import Audit
from auditloop.audits.rules import auditor_is_independent, independent_of_audit
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


def _teams() -> dict[int, Team]:
    return {n: Team(pk=n, name=f"Team {n}") for n in (1, 2)}


def test_the_manager_of_the_work_audited_is_not_independent_of_it_once_the_case_has_moved() -> None:
    teams = _teams()
    manager = StaffMember(pk=10, name="Mary Manager", role=Role.TEAM_MANAGER, team=teams[1])
    worker = StaffMember(pk=11, name="Pat", role=Role.PRACTITIONER, team=teams[1], manager=manager)
    new_worker = StaffMember(pk=21, name="Olly", role=Role.PRACTITIONER, team=teams[2])
    someone = StaffMember(pk=30, name="Ash", role=Role.AUDITOR)
    case = ChildCase(la_child_id="X1", cohort="CP", allocated_team=teams[2])
    case.allocated_worker = new_worker
    audit = Audit(case=case, practitioner=worker, team=teams[1])
    assert auditor_is_independent(auditor=manager, case=case)  # the case alone misses it
    assert not independent_of_audit(staff=manager, audit=audit)
    assert not independent_of_audit(staff=worker, audit=audit)
    assert not independent_of_audit(staff=new_worker, audit=audit)
    assert independent_of_audit(staff=someone, audit=audit)


PEOPLE = st.sampled_from(["judge", "someone", "nobody"])


@given(
    judge_role=ROLES,
    judge_team=st.sampled_from([None, 1, 2]),
    team_now=st.sampled_from([None, 1, 2]),
    team_then=st.sampled_from([None, 1, 2]),
    worker_now=PEOPLE,
    worker_then=PEOPLE,
    managers=st.tuples(PEOPLE, PEOPLE),
)
def test_independent_of_an_audit_means_of_the_case_now_and_of_the_case_as_audited(
    judge_role: Role,
    judge_team: int | None,
    team_now: int | None,
    team_then: int | None,
    worker_now: str,
    worker_then: str,
    managers: tuple[str, str],
) -> None:
    teams = _teams()
    judge = StaffMember(pk=10, name="Judge", role=judge_role)
    judge.team = teams[judge_team] if judge_team else None
    someone = StaffMember(pk=20, name="Someone", role=Role.TEAM_MANAGER)
    people: dict[str, StaffMember | None] = {"judge": judge, "someone": someone, "nobody": None}

    def worker(who: str, pk: int, manager: str) -> StaffMember | None:
        if who != "someone":
            return people[who]
        return StaffMember(
            pk=pk, name=f"Worker {pk}", role=Role.PRACTITIONER, manager=people[manager]
        )

    now, then = worker(worker_now, 30, managers[0]), worker(worker_then, 40, managers[1])
    case = ChildCase(la_child_id="X1", cohort="CP")
    case.allocated_team = teams[team_now] if team_now else None
    case.allocated_worker = now
    audit = Audit(case=case, team=teams[team_then] if team_then else None, practitioner=then)
    as_audited = ChildCase(la_child_id="X1", cohort="CP")
    as_audited.allocated_team = audit.team
    as_audited.allocated_worker = then
    expected = auditor_is_independent(auditor=judge, case=case) and auditor_is_independent(
        auditor=judge, case=as_audited
    )
    assert independent_of_audit(staff=judge, audit=audit) is expected
