"""One independence rule: the per-case check an audit is created with and the set-based filter
a draw applies to a whole population always agree."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.rules import auditor_is_independent
from auditloop.cases.models import ChildCase
from auditloop.sampling.rules.draws import DrawSpec
from auditloop.sampling.rules.independence import CaseRow, auditor_rows, row_holds_or_manages
from auditloop.sampling.selectors.draws import population_rows
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas, make_staff

PEOPLE = st.sampled_from([None, 1, 2, 3])


@given(
    auditor_id=st.sampled_from([1, 2, 3]),
    auditor_role=st.sampled_from(list(Role)),
    auditor_team=st.sampled_from([None, 10, 20]),
    worker_id=PEOPLE,
    worker_manager_id=PEOPLE,
    case_team=st.sampled_from([None, 10, 20]),
)
def test_the_per_case_check_and_the_population_filter_agree(
    auditor_id: int,
    auditor_role: Role,
    auditor_team: int | None,
    worker_id: int | None,
    worker_manager_id: int | None,
    case_team: int | None,
) -> None:
    # Unsaved objects with ids set by hand: both paths read ids only.
    teams = {n: Team(pk=n, name=f"Team {n}") for n in (10, 20)}
    auditor = StaffMember(pk=auditor_id, name="Auditor", role=auditor_role)
    auditor.team = teams[auditor_team] if auditor_team else None
    case = ChildCase(la_child_id="X1", cohort="CP")
    case.allocated_team = teams[case_team] if case_team else None
    if worker_id is not None:
        worker = StaffMember(pk=worker_id, name="Worker", role=Role.PRACTITIONER)
        worker.manager_id = worker_manager_id
        case.allocated_worker = worker
    row = CaseRow(
        pk=1,
        la_child_id="X1",
        team_id=case_team,
        team_name="",
        service_id=None,
        service_name="",
        worker_id=worker_id,
        worker_manager_id=worker_manager_id if worker_id is not None else None,
    )
    [auditor_row] = auditor_rows([auditor])
    one_case = auditor_is_independent(auditor=auditor, case=case)
    population = not row_holds_or_manages(auditor_row, row)
    assert one_case is population
    expected = not (
        worker_id == auditor_id
        or (worker_id is not None and worker_manager_id == auditor_id)
        or (
            auditor_role == Role.TEAM_MANAGER
            and case_team is not None
            and auditor_team == case_team
        )
    )
    assert one_case is expected


def test_both_paths_agree_on_cases_read_from_the_database(p: Personas) -> None:
    """Every member of staff against every case, through each path's own queries."""
    deputy = make_staff("deputy", "Dee Deputy", Role.TEAM_MANAGER, p.north_b)
    worker = make_staff("nbworker", "Nat Worker", Role.PRACTITIONER, p.north_b, manager=deputy)
    cases_make(3, team=p.north_b, prefix="NB", worker=worker)
    cases_make(2, team=p.north_a, prefix="NA")
    rows = {r.pk: r for r in population_rows(DrawSpec(seed=0, size=0))}
    cases = ChildCase.objects.select_related("allocated_worker").filter(is_open=True)
    staff = list(StaffMember.objects.all())
    checked = 0
    for person, person_row in zip(staff, auditor_rows(staff), strict=True):
        for case in cases:
            one_case = auditor_is_independent(auditor=person, case=case)
            assert one_case is not row_holds_or_manages(person_row, rows[case.pk]), (person, case)
            checked += 1
    assert checked == len(staff) * 7
    held = [c for c in cases if not auditor_is_independent(auditor=deputy, case=c)]
    assert len(held) == 3  # the deputy's team's cases, which their worker also holds
