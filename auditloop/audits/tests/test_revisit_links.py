"""A revisit names the audit it follows up by type and date, and the earlier audit links forward
to its revisits, each only for readers who may open the audit linked."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.services.planning import audit_create
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas, make_staff


def _page(p: Personas, staff: StaffMember, audit: Audit) -> str:
    response = p.client_for(staff).get(reverse("audits:detail", args=[audit.public_id]))
    assert response.status_code == 200
    return str(response.content.decode())


def _earlier_and_revisit(p: Personas, revisit_auditor: StaffMember) -> tuple[Audit, Audit]:
    earlier = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    submitted = timezone.now() - datetime.timedelta(days=40)
    Audit.objects.filter(pk=earlier.pk).update(submitted_at=submitted)
    earlier.refresh_from_db()
    revisit = audit_create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.REVISIT,
        auditor=revisit_auditor,
        by=p.moderator,
        revisit_of=earlier,
    )
    return earlier, revisit


def _named(audit: Audit, words: str) -> str:
    return f'href="{reverse("audits:detail", args=[audit.public_id])}">{words}</a>'


def test_a_revisit_names_the_earlier_audit_by_type_and_date(p: Personas) -> None:
    earlier, revisit = _earlier_and_revisit(p, p.auditor)
    text = _page(p, p.auditor, revisit)
    when = timezone.localtime(earlier.submitted_at).strftime("%-d %B %Y")
    assert _named(earlier, f"Dip sample audit, submitted {when}") in text
    assert ">the earlier audit</a>" not in text


def test_the_earlier_audit_links_forward_to_its_revisit(p: Personas) -> None:
    earlier, revisit = _earlier_and_revisit(p, p.auditor)
    planned = timezone.localtime(revisit.created_at).strftime("%-d %B %Y")
    for reader in (p.auditor, p.moderator):
        text = _page(p, reader, earlier)
        assert "Revisited by" in text
        assert _named(revisit, f"Revisit audit, planned {planned}") in text


def test_the_link_forward_waits_until_the_reader_may_see_the_revisit(p: Personas) -> None:
    earlier, revisit = _earlier_and_revisit(p, p.auditor)
    revisit_url = reverse("audits:detail", args=[revisit.public_id])
    for reader in (p.practitioner, p.team_manager, p.senior_leader):
        text = _page(p, reader, earlier)
        assert revisit_url not in text
        assert "Revisited by" not in text
    audit_submit(audit=answer_fully(revisit), by=p.auditor)
    for reader in (p.practitioner, p.team_manager, p.senior_leader):
        assert revisit_url in _page(p, reader, earlier)


def test_a_revisits_auditor_who_did_not_do_the_earlier_audit_gets_a_link_to_it(
    p: Personas,
) -> None:
    second = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    earlier, revisit = _earlier_and_revisit(p, second)
    when = timezone.localtime(earlier.submitted_at).strftime("%-d %B %Y")
    assert _named(earlier, f"Dip sample audit, submitted {when}") in _page(p, second, revisit)


def test_a_revisits_auditor_who_may_not_read_the_earlier_audit_gets_no_link_to_it(
    p: Personas,
) -> None:
    second = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    earlier, revisit = _earlier_and_revisit(p, second)
    # Returned to its auditor since: a draft is between its auditor and the leads.
    Audit.objects.filter(pk=earlier.pk).update(status=AuditStatus.IN_PROGRESS)
    text = _page(p, second, revisit)
    assert "An earlier audit of this case" in text
    assert reverse("audits:detail", args=[earlier.public_id]) not in text
