"""The home page's lists and the list pages' tables are kept for their reader under the data
version (`core/keptparts.py`): a second show asks fewer queries, a committed change shows at
once, no reader is shown another's kept part, and the access log holds the same rows whether
a part was kept or drawn. These run with real commits (`transaction=True`): a test's own
transaction never commits, and a connection with changes of its own never uses the cache."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import AuditStatus
from auditloop.audits.tests.followup_factories import make_action, make_audit
from auditloop.core.keptparts import part_kept
from auditloop.core.models import AccessLog
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

KEPT_PAGES = ["home", "audits:list", "audits:actions", "cases:list", "learning:key_message_list"]


def _show(client: Client, name: str, query: str = "") -> str:
    response = client.get(reverse(name) + query)
    assert response.status_code == 200
    return response.content.decode()


def _queries(client: Client, name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        _show(client, name)
    return len(captured.captured_queries)


def _logged(staff: StaffMember) -> Counter[tuple[str, str, str]]:
    rows = AccessLog.objects.filter(user=staff.user)
    return Counter(rows.values_list("target_type", "target_id", "purpose"))


@pytest.mark.parametrize("name", KEPT_PAGES)
def test_a_second_show_of_a_kept_page_asks_fewer_queries(p: Personas, name: str) -> None:
    make_action(p, owner=p.moderator)
    client = p.client_for(p.moderator)
    first = _queries(client, name)
    assert _queries(client, name) < first


def test_a_kept_home_page_shows_a_new_audit_at_once(p: Personas) -> None:
    client = p.client_for(p.auditor)
    assert "You have no audits to do." in _show(client, "home")
    audit = make_audit(p, status=AuditStatus.PLANNED)
    assert str(audit.public_id) in _show(client, "home")


def test_a_kept_list_shows_a_change_to_a_row_at_once(p: Personas) -> None:
    action = make_action(p, owner=p.practitioner)
    client = p.client_for(p.practitioner)
    assert str(action.public_id) in _show(client, "audits:actions")
    action.description = "Meet the family at school."
    action.save()
    assert "Meet the family at school." in _show(client, "audits:actions")


def test_a_kept_list_is_kept_per_query_string(p: Personas) -> None:
    action = make_action(p, owner=p.practitioner)
    client = p.client_for(p.practitioner)
    assert str(action.public_id) in _show(client, "audits:actions")
    assert str(action.public_id) not in _show(client, "audits:actions", "?show=closed")


def test_no_reader_is_shown_another_readers_kept_part(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.PLANNED)
    other = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    assert str(audit.public_id) in _show(p.client_for(p.auditor), "home")
    html = _show(p.client_for(other), "home")
    assert str(audit.public_id) not in html
    assert "You have no audits to do." in html


@pytest.mark.parametrize("name", KEPT_PAGES)
def test_the_access_log_has_the_same_rows_whether_a_part_was_kept_or_drawn(
    p: Personas, settings: Any, name: str
) -> None:
    make_audit(p, status=AuditStatus.SUBMITTED)
    make_action(p, owner=p.moderator)
    client = p.client_for(p.moderator)
    _show(client, name)
    _show(client, name)  # kept
    kept = _logged(p.moderator)
    AccessLog.objects.all().delete()
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 0
    _show(client, name)
    _show(client, name)
    assert _logged(p.moderator) == kept
    if name != "learning:key_message_list":  # it names no child
        assert kept, "the page logged no read: the test shows nothing"


def test_a_part_holding_a_forms_token_is_refused(p: Personas) -> None:
    request = p.client_for(p.auditor).get(reverse("home")).wsgi_request
    with pytest.raises(ValueError, match="token"):
        part_kept(
            "with-a-form",
            request=request,
            draw=lambda: '<input type="hidden" name="csrfmiddlewaretoken" value="x">',
        )
