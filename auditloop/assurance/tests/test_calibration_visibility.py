"""Blinding: nobody in a calibration exercise reads another's answers until every entry is
submitted; a calibration audit is never shared with the practitioner, their managers or senior
leaders, by the audits' one visibility rule (pages, lists and the API alike)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.assurance.tests.calibration_factories import (
    answer_and_submit,
    entry_of,
    second_auditor,
    set_exercise,
)
from auditloop.audits.access.audits import audit_visibility_filter, audit_visibility_filter_for_one
from auditloop.audits.models import Audit
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def readable(staff: StaffMember) -> set[Audit]:
    return set(Audit.objects.filter(audit_visibility_filter(staff)))


def opens(p: Personas, staff: StaffMember, audit: Audit) -> int:
    return p.client_for(staff).get(reverse("audits:detail", args=[audit.public_id])).status_code


def test_before_all_have_submitted_each_auditor_reads_only_their_own_entry(p: Personas) -> None:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other])
    mine, theirs = entry_of(exercise, p.auditor), entry_of(exercise, other)
    answer_and_submit(theirs)
    assert readable(p.auditor) == {mine}
    assert opens(p, p.auditor, theirs) == 404
    assert opens(p, p.auditor, mine) == 200


def test_once_the_last_entry_is_submitted_every_auditor_reads_every_entry(p: Personas) -> None:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other])
    mine, theirs = entry_of(exercise, p.auditor), entry_of(exercise, other)
    answer_and_submit(theirs)
    answer_and_submit(mine)
    assert readable(p.auditor) == {mine, theirs}
    assert readable(other) == {mine, theirs}
    assert opens(p, p.auditor, theirs) == 200


def test_a_lead_outside_the_exercise_reads_every_entry_at_once(p: Personas) -> None:
    exercise = set_exercise(p)
    entries = set(Audit.objects.filter(calibration_entry__exercise=exercise))
    assert entries <= readable(p.moderator)


def test_a_lead_who_is_one_of_the_auditors_waits_like_any_auditor(p: Personas) -> None:
    exercise = set_exercise(p, [p.auditor, p.moderator])
    mine, theirs = entry_of(exercise, p.moderator), entry_of(exercise, p.auditor)
    answer_and_submit(theirs)
    assert mine in readable(p.moderator)
    assert theirs not in readable(p.moderator)
    assert opens(p, p.moderator, theirs) == 404
    answer_and_submit(mine)
    assert theirs in readable(p.moderator)


def test_another_lead_over_the_service_reads_the_entries_of_an_exercise_a_lead_is_in(
    p: Personas,
) -> None:
    second_lead = make_staff("lead2", "Lou Lead", Role.MODERATOR, services=[p.north])
    exercise = set_exercise(p, [p.auditor, p.moderator])
    assert entry_of(exercise, p.moderator) in readable(second_lead)


def test_a_lead_over_another_service_reads_none(p: Personas) -> None:
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    exercise = set_exercise(p)
    for audit in Audit.objects.filter(calibration_entry__exercise=exercise):
        answer_and_submit(audit)
    assert not readable(south_lead)


def test_the_practitioner_managers_and_leaders_never_read_a_calibration_audit(
    p: Personas,
) -> None:
    exercise = set_exercise(p)
    audits = list(Audit.objects.filter(calibration_entry__exercise=exercise))
    for audit in audits:
        answer_and_submit(audit)
    for who in (p.practitioner, p.team_manager, p.senior_leader, p.board_member):
        assert not readable(who), who
        assert opens(p, who, audits[0]) == 404
        listed = p.client_for(who).get(reverse("audits:list") + "?audit_type=calibration")
        assert str(audits[0].public_id) not in listed.content.decode()


def test_a_senior_leader_in_the_exercise_reads_only_their_own_entry_until_all_are_in(
    p: Personas,
) -> None:
    exercise = set_exercise(p, [p.auditor, p.senior_leader])
    mine, theirs = entry_of(exercise, p.senior_leader), entry_of(exercise, p.auditor)
    answer_and_submit(theirs)
    assert readable(p.senior_leader) == {mine}


def test_the_exercise_page_is_not_found_for_those_outside_it(p: Personas) -> None:
    exercise = set_exercise(p)
    url = reverse("assurance:calibration_detail", args=[exercise.public_id])
    for who in (p.practitioner, p.team_manager, p.senior_leader, p.outsider, p.administrator):
        assert p.client_for(who).get(url).status_code == 404, who
    south = Service.objects.get(name="South")
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[south])
    assert p.client_for(south_lead).get(url).status_code == 404
    for who in (p.auditor, p.moderator):
        assert p.client_for(who).get(url).status_code == 200, who


def _one_row_disagreements(readers: list[StaffMember], audits: list[Audit]) -> list[str]:
    """Where the one-audit form of the rule (an audit's own page, a list row's `may_read`)
    admits otherwise than the list's form, reader by reader."""
    found = []
    for reader in readers:
        listed = readable(reader)
        for audit in audits:
            one = Audit.objects.filter(audit_visibility_filter_for_one(reader), pk=audit.pk)
            if one.exists() != (audit in listed):
                found.append(f"{reader.name} ({reader.role}) on {audit.auditor.name}'s entry")
    return found


def test_the_one_audit_rule_admits_the_entries_the_list_rule_admits_while_and_after_it_runs(
    p: Personas,
) -> None:
    """Its exercises are asked of the one audit (an EXISTS on its key), where the list's rule
    gathers every entry of the reader's exercises: both must admit the same."""
    other = second_auditor(p)
    second_lead = make_staff("lead2", "Lou Lead", Role.MODERATOR, services=[p.north])
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    exercise = set_exercise(p, [p.auditor, other, p.moderator])
    readers = [*p.all_roles().values(), other, second_lead, south_lead]
    audits = list(Audit.objects.filter(calibration_entry__exercise=exercise))
    answer_and_submit(entry_of(exercise, other))
    assert not _one_row_disagreements(readers, audits)
    answer_and_submit(entry_of(exercise, p.auditor))
    answer_and_submit(entry_of(exercise, p.moderator))
    assert not _one_row_disagreements(readers, audits)
