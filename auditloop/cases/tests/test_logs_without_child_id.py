"""The event and access logs (accounts' pages) never show a child's ID, even after a case
file's ID is changed."""

from __future__ import annotations

from django.urls import reverse

from auditloop.cases.services import CaseDetails, case_update
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.models import Event
from auditloop.testing import Personas


def test_event_and_access_logs_never_show_a_childs_id(p: Personas) -> None:
    case_update(
        case=p.case,
        by=p.administrator,
        details=CaseDetails(
            la_child_id="00123-NEW",
            cohort="CLA",
            allocated_team=p.north_a,
            allocated_worker=p.practitioner,
        ),
    )
    access_shown(user=p.moderator.user, targets=[p.case], purpose=Purpose.VIEW)
    client = p.client_for(p.administrator)
    for name in ("accounts:event_list", "accounts:access_log"):
        html = client.get(reverse(name)).content.decode()
        assert "00123" not in html
    assert Event.objects.filter(verb="case.updated").exists()
