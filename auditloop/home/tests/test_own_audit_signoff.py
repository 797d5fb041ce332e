"""Nobody signs off their own work: an audit lead's own submitted audit is not on their home
page's list of audits awaiting completion; another audit lead for the service sees it there.
(Moved from the audits app's sign-off tests: the home page is above audits.)"""

from __future__ import annotations

from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.home.selectors import home_work_for
from auditloop.testing import Personas, make_staff


def _submitted_by(p: Personas, auditor: StaffMember) -> Audit:
    return Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.SUBMITTED,
        auditor=auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        submitted_at=timezone.now(),
    )


def _second_lead(p: Personas) -> StaffMember:
    return make_staff("lead2", "Robin Second Lead", Role.MODERATOR, services=[p.north])


def test_own_audit_is_not_on_the_audit_leads_list_awaiting_completion(p: Personas) -> None:
    own = _submitted_by(p, p.moderator)
    theirs = _submitted_by(p, p.auditor)
    waiting = home_work_for(p.moderator).awaiting_completion
    assert waiting is not None
    assert [a.pk for a in waiting.rows] == [theirs.pk]
    other = home_work_for(_second_lead(p)).awaiting_completion
    assert other is not None
    assert {a.pk for a in other.rows} == {own.pk, theirs.pk}
