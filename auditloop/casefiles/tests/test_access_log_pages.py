"""The case list, the search by LA child ID and a case file's page log a read of each case
file and audit they show; a list or search that shows none logs nothing."""

from __future__ import annotations

from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import AuditStatus
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog
from auditloop.testing import Personas


def _cases(p: Personas, prefix: str, n: int) -> list[ChildCase]:
    return ChildCase.objects.bulk_create(
        ChildCase(la_child_id=f"{prefix}{i:03}", cohort=Cohort.CP, allocated_team=p.north_b)
        for i in range(n)
    )


def _reads(staff: StaffMember, purpose: str) -> list[str]:
    return sorted(
        AccessLog.objects.filter(user=staff.user, purpose=purpose).values_list(
            "target_id", flat=True
        )
    )


def _ids(cases: list[ChildCase]) -> list[str]:
    return sorted(str(c.public_id) for c in cases)


def test_the_case_list_logs_each_case_file_on_the_page_and_no_other(p: Personas) -> None:
    _cases(p, "NB", 60)
    client = p.client_for(p.moderator)
    html = client.get(reverse("cases:list")).content.decode()
    reads = _reads(p.moderator, "listed")
    assert len(reads) == 50
    shown = [c for c in ChildCase.objects.all() if c.la_child_id in html]
    assert reads == _ids(shown)
    assert {r.target_type for r in AccessLog.objects.all()} == {"cases.childcase"}


def test_a_case_list_filtered_to_nothing_logs_nothing(p: Personas) -> None:
    client = p.client_for(p.moderator)
    assert client.get(reverse("cases:list"), {"state": "closed"}).status_code == 200
    assert not AccessLog.objects.exists()


def test_a_search_logs_each_case_file_it_finds(p: Personas) -> None:
    found = _cases(p, "AB", 3)
    _cases(p, "XY", 2)
    response = p.client_for(p.moderator).post(reverse("cases:list"), {"la_child_id": "AB"})
    assert response.status_code == 200
    assert _reads(p.moderator, "search") == _ids(found)
    assert AccessLog.objects.count() == 3


def test_a_search_that_finds_nothing_or_is_not_valid_logs_nothing(p: Personas) -> None:
    client = p.client_for(p.moderator)
    client.post(reverse("cases:list"), {"la_child_id": "NOBODY"})
    client.post(reverse("cases:list"), {"la_child_id": ""})
    assert not AccessLog.objects.exists()


def test_a_search_with_one_match_logs_the_case_file_it_opens_once(p: Personas) -> None:
    client = p.client_for(p.moderator)
    response = client.post(reverse("cases:list"), {"la_child_id": "00123"}, follow=True)
    assert response.status_code == 200
    assert list(AccessLog.objects.values_list("purpose", "target_id")) == [
        ("view", str(p.case.public_id))
    ]


def test_a_case_file_page_logs_the_case_and_each_audit_of_it_shown(p: Personas) -> None:
    audits = [make_audit(p, status=AuditStatus.SUBMITTED) for _ in range(2)]
    p.client_for(p.moderator).get(reverse("cases:detail", args=[p.case.public_id]))
    assert _reads(p.moderator, "view") == [str(p.case.public_id)]
    assert _reads(p.moderator, "listed") == sorted(str(a.public_id) for a in audits)
