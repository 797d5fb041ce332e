"""The API lists exactly what the pages show: for every demo login and every API list, the
public ids the API returns are the ids the matching page (and the selector behind it) shows;
and the dashboard's figures through the API are the page's, cell for cell.

Built on the package's small demo council (conftest.py); a new list endpoint fails
`test_every_api_list_is_compared_here` until it is compared here too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import StaffMember
from auditloop.api.access import can_hold_api_token
from auditloop.api.aggregates import section_out
from auditloop.api.api import api
from auditloop.api.services import api_token_create
from auditloop.audits.access.actions import get_action_for_user
from auditloop.audits.models import Action, AuditTool
from auditloop.audits.selectors.actions import actions_visible_to
from auditloop.audits.selectors.audits import audits_matching, audits_visible_to
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.demo.council import DEMO_LOGINS
from auditloop.reports.access.reviews import REVIEW_ROLES, reviews_visible_to
from auditloop.reports.access.scopes import DASHBOARD_ROLES, dashboard_cycles, dashboard_scope
from auditloop.reports.models import ReviewStatus
from auditloop.reports.selectors.figures import dashboard_sections

pytestmark = pytest.mark.django_db

LOGINS = [username for username, _ in DEMO_LOGINS]
LISTS = ["audits", "actions", "tools", "dashboard", "dashboard/cycles", "cycle-reviews"]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PAGE_OF = re.compile(r"Page (\d+) of (\d+)")
# Smaller than the largest list, so reading one takes the API's paging across pages too.
API_PAGE = 100
# Action pages opened per login and answer (200 or 404), beside the helper's check of all.
PAGES_OPENED = 5


@pytest.fixture(scope="module")
def council(small: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The package's small demo council, with a draft of one audit tool (which only audit leads
    and administrators may see), added in a savepoint rolled back at the module's end."""
    with django_db_blocker.unblock(), transaction.atomic():
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
    if not can_hold_api_token(staff(username)):
        # A partner agency auditor holds no token: they read the API signed in, as its
        # documentation page does, and it shows them what their pages do (nothing of these).
        return page_client(username)
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
    # Every action page answers exactly for the listed ones: its get-for-user helper (the
    # page's access decision) finds each listed action and refuses every other.
    reader = staff(username).user
    opens: set[str] = set()
    for public_id in Action.objects.values_list("public_id", flat=True):
        try:
            get_action_for_user(reader, public_id)
        except Http404:
            continue
        opens.add(str(public_id))
    assert opens == from_api
    # And the pages themselves say so, a few of each (rendering all of them for every login
    # took two minutes of the suite on each database): 200 for listed ones, 404 for others.
    client = page_client(username)
    others = Action.objects.exclude(public_id__in=from_api).values_list("public_id", flat=True)
    for action_id, status in [
        *((listed, 200) for listed in sorted(from_api)[:PAGES_OPENED]),
        *((str(other), 404) for other in others.order_by("public_id")[:PAGES_OPENED]),
    ]:
        answered = client.get(reverse("audits:action", args=[action_id])).status_code
        assert answered == status, (action_id, answered)
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


BLOCK = re.compile(r'<div class="app-report-block[^"]*" id="block-([\w-]+)">')
TBODY = re.compile(r"<tbody\b.*?</tbody>", re.DOTALL)
BODY_ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.DOTALL)
CELL = re.compile(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", re.DOTALL)
WHOLE_TABLE_LINK = re.compile(r'href="/dashboard/tables/([\w-]+)/\?([^"]*)"')
HIDDEN = re.compile(r'<span class="govuk-visually-hidden">.*?</span>', re.DOTALL)


def page_tables(body: str) -> dict[str, list[list[str]]]:
    """Each block's table on the dashboard page, by block key: its body rows (label, figures,
    total, derived), then its totals row, each cell's text as shown."""
    tables = {}
    parts = BLOCK.split(body)
    # [before, key, block, key, block, ...]: each block runs to the next one's start.
    for key, block in zip(parts[1::2], parts[2::2], strict=True):
        table = TBODY.search(block)
        if table is None:
            continue
        tables[key] = [
            [html.unescape(HIDDEN.sub("", cell)).strip() for cell in CELL.findall(row)]
            for row in BODY_ROW.findall(table.group(0))
        ]
    return tables


def api_tables(sections: list[dict[str, Any]]) -> dict[str, list[list[str]]]:
    """The same from the API's sections."""
    tables = {}
    for section in sections:
        for block in section["blocks"]:
            table = block["table"]
            if table is None:
                continue
            derived = bool(table["derived_heading"])
            rows = [
                [
                    row["label"],
                    *(c["text"] for c in row["cells"]),
                    row["total"]["text"],
                    *([row["derived"]["text"]] if derived else []),
                ]
                for row in table["rows"]
            ]
            if table["column_totals"]:
                rows.append(
                    [
                        "Total",
                        *(c["text"] for c in table["column_totals"]),
                        table["grand_total"]["text"],
                        *([table["derived_total"]["text"]] if derived else []),
                    ]
                )
            tables[block["key"]] = rows
    return tables


def test_the_council_gives_the_dashboards_and_reviews_figures_to_compare(council: None) -> None:
    """Else the comparisons below could pass with empty dashboards and no review."""
    for username in ("practitioner", "manager", "moderator", "leader"):
        cycles = list(dashboard_cycles(staff(username)))
        assert len(cycles) >= 2, username
        scope = dashboard_scope(staff(username), cycles[0])
        assert scope is not None
        tables = [b.table for s in dashboard_sections(scope) for b in s.blocks if b.table]
        assert len(tables) >= 5, username
    for username in ("board", "moderator", "leader"):
        issued = reviews_visible_to(staff(username)).filter(status=ReviewStatus.ISSUED)
        assert issued.exists(), username


@pytest.mark.parametrize("username", LOGINS)
def test_the_dashboard_cycles_the_api_lists_are_those_the_page_offers(
    council: None, username: str
) -> None:
    response = api_client(username).get("/api/v1/dashboard/cycles")
    reader = staff(username)
    if reader.role not in DASHBOARD_ROLES:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    from_api = [c["id"] for c in response.json()]
    page = page_client(username).get(reverse("reports:dashboard")).content.decode()
    offered = re.findall(rf'<option value="({UUID})"', page)
    assert from_api == offered == [str(c.public_id) for c in dashboard_cycles(reader)]


@pytest.mark.parametrize("username", LOGINS)
@pytest.mark.parametrize("which", ["default", "oldest"])
def test_the_dashboards_figures_through_the_api_are_the_pages(
    council: None, username: str, which: str
) -> None:
    """The same figures, cell for cell, for the cycle the page opens on and the oldest: what
    `dashboard_sections` gives the page, and what the page shows."""
    reader = staff(username)
    cycles = list(dashboard_cycles(reader))
    query = "" if which == "default" or not cycles else f"?cycle={cycles[-1].public_id}"
    response = api_client(username).get(f"/api/v1/dashboard{query}")
    page = page_client(username).get(reverse("reports:dashboard") + query)
    if reader.role not in DASHBOARD_ROLES:
        # No live figures: refused by the API; the page (a board member's) shows none either.
        assert response.status_code == 403
        assert page.status_code == 403 or "app-report-block" not in page.content.decode()
        return
    assert (response.status_code, page.status_code) == (200, 200)
    body = response.json()
    cycle = next(c for c in cycles if str(c.public_id) == body["cycle"]["id"])
    assert page.context["scope"].cycle == cycle
    if which == "oldest":
        assert cycle == cycles[-1]
    scope = dashboard_scope(reader, cycle)
    assert scope is not None
    assert body["sections"] == [section_out(s) for s in dashboard_sections(scope)]
    shown = whole_tables(username, page.content.decode())
    assert shown == api_tables(body["sections"])
    assert shown, "no table to compare"


@pytest.mark.parametrize("username", ["moderator", "leader"])
def test_the_long_tables_figures_through_the_api_are_their_whole_table_pages(
    council: None, username: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the dashboard shows a table by its totals only (on the small council, as it does
    a large council's dozens of teams), its page of its own holds the API's figures."""
    monkeypatch.setattr("auditloop.reports.views.dashboards.DASHBOARD_TABLE_ROWS", 3)
    response = api_client(username).get("/api/v1/dashboard")
    body = page_client(username).get(reverse("reports:dashboard")).content.decode()
    linked = WHOLE_TABLE_LINK.findall(body)
    assert len(linked) >= 3
    assert all(
        page_tables(body)[key][-1][0] == "Total" for key, _ in linked if key in page_tables(body)
    )
    assert whole_tables(username, body) == api_tables(response.json()["sections"])


def whole_tables(username: str, body: str) -> dict[str, list[list[str]]]:
    """The dashboard's tables as the reader can see them: a table too long for the dashboard
    (a row per team of an audit lead's services) is there by its totals, with a link to the
    whole table on a page of its own, which is read instead."""
    tables = page_tables(body)
    for key, query in WHOLE_TABLE_LINK.findall(body):
        page = page_client(username).get(
            reverse("reports:dashboard_table", args=[key]) + "?" + html.unescape(query)
        )
        assert page.status_code == 200, key
        tables[key] = page_tables(page.content.decode())[key]
    return tables


@pytest.mark.parametrize("username", LOGINS)
def test_the_cycle_reviews_the_api_lists_are_those_the_page_offers_to_download(
    council: None, username: str
) -> None:
    reader = staff(username)
    response = api_client(username).get("/api/v1/cycle-reviews")
    page = page_client(username).get(reverse("reports:cycle-reviews"))
    assert response.status_code == page.status_code == (200 if reader.role in REVIEW_ROLES else 403)
    if page.status_code == 403:
        return
    from_api = {r["id"] for r in response.json()}
    offered = set(re.findall(rf'href="/cycle-reviews/({UUID})/download"', page.content.decode()))
    issued = reviews_visible_to(reader).filter(status=ReviewStatus.ISSUED)
    assert from_api == offered == {str(i) for i in issued.values_list("public_id", flat=True)}
