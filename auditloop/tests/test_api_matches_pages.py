"""The API lists exactly what the pages show: for every demo login and every API list, the
public ids the API returns are the ids the matching page (and the selector behind it) shows.

Built on the small demo council, once for this module; a new list endpoint fails
`test_every_api_list_is_compared_here` until it is compared here too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import StaffMember
from auditloop.api.api import api
from auditloop.api.services import api_token_create
from auditloop.audits.models import Action, AuditTool
from auditloop.audits.selectors.actions import actions_visible_to
from auditloop.audits.selectors.audits import audits_matching, audits_visible_to
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.demo.builder import demo_council_build
from auditloop.demo.council import DEMO_LOGINS

pytestmark = pytest.mark.django_db

LOGINS = [username for username, _ in DEMO_LOGINS]
LISTS = ["audits", "actions", "tools"]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")
# Smaller than the largest list, so reading one takes the API's paging across pages too.
API_PAGE = 100


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The small demo council, with a draft of one audit tool (which only audit leads and
    administrators may see), built once inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_council_build(size="small", seed=1)
        if connection.vendor == "postgresql":
            # Fresh tables have no statistics until autovacuum gets to them; without them the
            # planner can pick a nested loop that takes a minute a page on this council.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        lead = StaffMember.objects.get(user__username="moderator")
        tool = AuditTool.objects.order_by("name").first()
        assert tool is not None
        tool_version_draft_create(tool=tool, by=lead)
        yield
        transaction.set_rollback(True)


def staff(username: str) -> StaffMember:
    return StaffMember.objects.select_related("user", "team").get(user__username=username)


def page_client(username: str) -> Client:
    client = Client()
    client.force_login(staff(username).user)  # type: ignore[arg-type]
    return client


def api_client(username: str) -> Client:
    _, key = api_token_create(by=staff(username), name="Comparison")
    return Client(headers={"Authorization": f"Bearer {key}"})


def api_ids(client: Client, collection: str) -> set[str]:
    """Every id the paged list holds, reading it a page at a time as a BI tool would."""
    ids: list[str] = []
    offset = 0
    while True:
        response = client.get(f"/api/v1/{collection}?limit={API_PAGE}&offset={offset}")
        assert response.status_code == 200, response.content
        body = response.json()
        items = body["items"] if isinstance(body, dict) else body
        ids += [item["id"] for item in items]
        if len(items) < API_PAGE:
            break
        offset += API_PAGE
    assert len(ids) == len(set(ids)), "a row came twice"
    if collection == "audits":
        assert body["count"] == len(ids)
    return set(ids)


def page_ids(client: Client, url: str, link: str) -> set[str]:
    """The ids of every row a paged list shows, over all its pages: those in links `link`
    (a pattern with one group, the id)."""
    found: set[str] = set()
    page, pages = 1, 1
    while page <= pages:
        joiner = "&" if "?" in url else "?"
        response = client.get(f"{url}{joiner}page={page}")
        assert response.status_code == 200, url
        body = response.content.decode()
        found |= set(re.findall(link, body))
        counted = PAGE_OF.search(body)
        pages = int(counted.group(2)) if counted else 1
        page += 1
    return found


def test_every_api_list_is_compared_here() -> None:
    paths = api.get_openapi_schema()["paths"]
    root = reverse("api:api-root")
    lists = {p.removeprefix(root) for p in paths if "{" not in p and p != root}
    assert lists == set(LISTS)


def test_the_council_gives_the_comparisons_rows_to_compare(council: None) -> None:
    """Else the comparisons below could pass with nothing on either side."""
    for username in ("practitioner", "manager", "auditor", "moderator", "leader"):
        assert actions_visible_to(staff(username)).exists(), username
        assert audits_visible_to(staff(username)).exists(), username
    assert audits_visible_to(staff("moderator")).count() > 2 * API_PAGE


@pytest.mark.parametrize("username", LOGINS)
def test_the_audits_the_api_lists_are_the_audits_list_page_shows(
    council: None, username: str
) -> None:
    from_api = api_ids(api_client(username), "audits")
    shown = page_ids(page_client(username), reverse("audits:list"), rf'href="/audits/({UUID})/"')
    # The list's own filter: calibration audits only when asked for by type.
    listed = audits_matching(audits_visible_to(staff(username)))
    selected = {str(i) for i in listed.values_list("public_id", flat=True)}
    assert from_api == shown == selected


@pytest.mark.parametrize("username", LOGINS)
def test_the_actions_the_api_lists_are_the_actions_whose_pages_open(
    council: None, username: str
) -> None:
    from_api = api_ids(api_client(username), "actions")
    selected = {
        str(i) for i in actions_visible_to(staff(username)).values_list("public_id", flat=True)
    }
    assert from_api == selected
    # Every action page answers exactly for the listed ones: 200 for each, 404 for the rest.
    client = page_client(username)
    for public_id in Action.objects.values_list("public_id", flat=True):
        status = client.get(reverse("audits:action", args=[public_id])).status_code
        assert status == (200 if str(public_id) in from_api else 404), (public_id, status)
    # And every row of the "My actions" and team actions lists, on every tab, is listed.
    link = rf'href="/audits/actions/({UUID})/"'
    shown: set[str] = set()
    for url_name in ("audits:actions", "audits:team_actions"):
        for tab in ("open", "overdue", "closed"):
            url = f"{reverse(url_name)}?show={tab}"
            if client.get(url).status_code == 403:
                continue
            shown |= page_ids(client, url, link)
    assert shown <= from_api


@pytest.mark.parametrize("username", LOGINS)
def test_the_tools_the_api_lists_are_the_tools_page_shows(council: None, username: str) -> None:
    page = page_client(username).get(reverse("audits:tools"))
    response = api_client(username).get("/api/v1/tools")
    assert response.status_code == page.status_code
    if page.status_code == 403:
        return
    body = page.content.decode()
    tools = response.json()
    assert {t["slug"] for t in tools} == set(re.findall(r'id="tool-([\w-]+)"', body))
    versions = {v["id"] for t in tools for v in t["versions"]}
    assert versions == set(re.findall(rf'href="/audits/tools/versions/({UUID})/"', body))
