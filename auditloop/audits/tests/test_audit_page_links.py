"""An audit's page lists every unsafe-child flag and action of the audit to whoever reads the
audit, and links each only where its own page opens for that reader: no link on the page
leads anyone to "not found"."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from auditloop.audits.models import AuditStatus
from auditloop.audits.tests.followup_factories import make_action, make_audit, make_escalation
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/audits/(?:actions|flags|escalations)/[^"]+)"')


def _audit_with_a_flag_and_the_managers_action(p: Personas) -> tuple[str, str, str, str]:
    """The audit's page, its flag's and its action's, and the action's words."""
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    flag = make_escalation(p, audit)
    action = make_action(p, audit=audit, owner=p.team_manager)
    return (
        reverse("audits:detail", args=[audit.public_id]),
        reverse("audits:escalation", args=[flag.public_id]),
        reverse("audits:action", args=[action.public_id]),
        action.description,
    )


@pytest.mark.parametrize(
    "who", ["practitioner", "team_manager", "auditor", "moderator", "senior_leader"]
)
def test_every_flag_and_action_linked_from_an_audits_page_opens_for_its_reader(
    p: Personas, who: str
) -> None:
    page, flag, action, description = _audit_with_a_flag_and_the_managers_action(p)
    client = p.client_for(getattr(p, who))
    html = client.get(page).content.decode()
    assert description in html  # listed to every reader of the audit
    links = LINK.findall(html)
    assert {flag, action} & set(links) or who == "practitioner"
    for link in links:
        assert client.get(link).status_code == 200, (who, link)


def test_the_practitioner_reads_their_managers_action_on_the_audit_without_a_link_to_it(
    p: Personas,
) -> None:
    page, flag, action, description = _audit_with_a_flag_and_the_managers_action(p)
    html = p.client_for(p.practitioner).get(page).content.decode()
    assert description in html
    assert action not in html
    assert flag not in html


def test_the_manager_owning_the_action_is_linked_to_it_and_to_the_flag(p: Personas) -> None:
    page, flag, action, _ = _audit_with_a_flag_and_the_managers_action(p)
    html = p.client_for(p.team_manager).get(page).content.decode()
    assert action in html
    assert flag in html
