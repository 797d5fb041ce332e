"""The moderation panel on an audit's page is kept with the page's other read-only parts for
its reader (audits/views/audits.py), except where it holds a form: the asker's own request,
with its withdraw button, is drawn on every request, so its CSRF token is always fresh. Real
commits (`transaction=True`): a connection with changes of its own never uses the cache."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.assurance.models import ModerationRequestStatus
from auditloop.assurance.services.moderation_samples import moderation_request_create
from auditloop.assurance.tests.moderation_sample_factories import cycle_audit, north_cycle
from auditloop.audits.models import Audit
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REASON = "The grades do not match the evidence."


def _show(client: Client, audit: Audit) -> str:
    response = client.get(reverse("audits:detail", args=[audit.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _panel_queries(client: Client, audit: Audit) -> int:
    with CaptureQueriesContext(connection) as captured:
        _show(client, audit)
    return sum('"assurance_moderationrequest"' in q["sql"] for q in captured.captured_queries)


def test_the_askers_withdraw_form_is_drawn_on_every_show_with_a_fresh_token(
    p: Personas,
) -> None:
    audit = cycle_audit(p, north_cycle(p))
    request = moderation_request_create(audit=audit, by=p.team_manager, reason=REASON)
    withdraw = reverse("assurance:moderation_request_withdraw", args=[request.public_id])
    client = p.client_for(p.team_manager)
    tokens = []
    for _ in range(2):
        html = _show(client, audit)
        form = html[html.index(f'action="{withdraw}"') :]
        tokens.append(TOKEN.search(form[: form.index("</form>")]))
    assert all(tokens)
    assert tokens[0] and tokens[1] and tokens[0].group(1) != tokens[1].group(1)
    assert client.post(withdraw, {"csrfmiddlewaretoken": tokens[1].group(1)}).status_code == 302
    request.refresh_from_db()
    assert request.status == ModerationRequestStatus.WITHDRAWN


def test_a_panel_without_a_form_is_kept_and_shows_a_new_request_at_once(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    lead = p.client_for(p.moderator)
    assert REASON not in _show(lead, audit)
    assert _panel_queries(lead, audit) == 0  # kept
    moderation_request_create(audit=audit, by=p.team_manager, reason=REASON)
    assert REASON in _show(lead, audit)
    assert _panel_queries(lead, audit) == 0
    # The asker's panel holds their withdraw form: drawn on every show.
    asker = p.client_for(p.team_manager)
    _show(asker, audit)
    assert _panel_queries(asker, audit) > 0
