"""Nobody signs off their own work: an audit lead's own submitted audit is not on their home
page's list of audits awaiting completion; another audit lead for the service sees it there.
(Moved from the audits app's sign-off tests: the home page is above audits.)"""

from __future__ import annotations

from auditloop.audits.tests.audit_factories import second_lead, submitted_audit_by
from auditloop.home.selectors import home_work_for
from auditloop.testing import Personas


def test_own_audit_is_not_on_the_audit_leads_list_awaiting_completion(p: Personas) -> None:
    own = submitted_audit_by(p, p.moderator)
    theirs = submitted_audit_by(p, p.auditor)
    waiting = home_work_for(p.moderator).awaiting_completion
    assert waiting is not None
    assert [a.pk for a in waiting.rows] == [theirs.pk]
    other = home_work_for(second_lead(p)).awaiting_completion
    assert other is not None
    assert {a.pk for a in other.rows} == {own.pk, theirs.pk}
