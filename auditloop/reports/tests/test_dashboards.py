"""The dashboard: each role reads its own scope's figures and nothing else, a cycle at a time;
each table downloads as CSV and xlsx scoped exactly as the page; a board member reads the
issued committee reviews and the published key messages, and no live figure."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from auditloop.accounts.models import Team
from auditloop.core.models import Event
from auditloop.learning.models import KeyMessageStatus
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of
from auditloop.reports.blocks import Block, blocks_of
from auditloop.reports.models import Audience, ReviewStatus
from auditloop.reports.tests.dashboard_factories import issued_review, published_message
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
STARTED = TODAY - datetime.timedelta(days=60)
EARLIER = STARTED - datetime.timedelta(days=182)
LATER = TODAY + datetime.timedelta(days=30)


def dashboard(p: Personas, who: str, **query: str) -> tuple[str, list[Block]]:
    response = p.client_for(getattr(p, who)).get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    sections = response.context.get("sections", [])
    return response.content.decode(), blocks_of(sections)


def row_labels(blocks: list[Block]) -> set[str]:
    """The teams the dashboard's tables have rows for (other rows are domains, checks,
    months)."""
    teams = set(Team.objects.values_list("name", flat=True))
    return {row.label for block in blocks if block.table for row in block.table.rows} & teams


def download(p: Personas, who: str, key: str, fmt: str = "csv", **query: str):  # type: ignore[no-untyped-def]
    name = f"reports:dashboard_download_{fmt}"
    return p.client_for(getattr(p, who)).get(reverse(name, args=[key]), query)


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def north_and_south(p: Personas, starts_on: datetime.date = STARTED, name: str = "Spring"):  # type: ignore[no-untyped-def]
    """A cycle of both services: six audits in North A (two of them the practitioner's own),
    six in North B and six in South A."""
    cycle = cycle_of(p, name, starts_on)
    for team in (p.north_a, p.north_b, p.south_a):
        for _ in range(6):
            counted_audit(p, cycle, team=team)
    return cycle


def test_an_audit_lead_reads_every_team_of_their_services_and_no_other(p: Personas) -> None:
    north_and_south(p)
    page, blocks = dashboard(p, "moderator")
    assert row_labels(blocks) == {"North A", "North B"}
    assert "South A" not in page
    assert "Your service: North" in page


def test_a_senior_leader_reads_their_services_by_team(p: Personas) -> None:
    north_and_south(p)
    _, blocks = dashboard(p, "senior_leader")
    assert row_labels(blocks) == {"North A", "North B"}


def test_a_team_manager_reads_their_own_team_and_no_other_teams_row(p: Personas) -> None:
    north_and_south(p)
    page, blocks = dashboard(p, "team_manager")
    assert row_labels(blocks) == {"North A"}
    assert "North B" not in page
    assert "South A" not in page
    assert "Your team: North A" in page


def test_a_practitioner_reads_only_their_own_audits(p: Personas) -> None:
    cycle = north_and_south(p)
    for _ in range(3):
        counted_audit(p, cycle, team=p.north_a, practitioner=p.practitioner, overall="inadequate")
    page, blocks = dashboard(p, "practitioner")
    assert row_labels(blocks) == {"North A"}
    # Two of North A's first six are the practitioner's, and the three Inadequate: five of
    # the twenty-one.
    assert "5 audits of your cases count in this cycle so far." in page
    assert "Your own audited cases" in page
    assert "North B" not in page


def test_the_newest_cycle_that_has_started_is_shown_first_and_another_can_be_chosen(
    p: Personas,
) -> None:
    spring = north_and_south(p)
    autumn = cycle_of(p, "Autumn", EARLIER)
    counted_audit(p, autumn, team=p.north_b)
    cycle_of(p, "Next", LATER)  # planned, not started
    page, _ = dashboard(p, "moderator")
    assert "<strong>Spring</strong>:" in page
    page, _blocks = dashboard(p, "moderator", cycle=str(autumn.public_id))
    # Autumn has ended: its count is final, not "so far".
    assert "<strong>Autumn</strong>: 1 audit counts in this cycle." in page
    assert f'value="{spring.public_id}"' in page


def test_a_cycle_that_is_not_the_readers_is_refused_with_a_clear_error(p: Personas) -> None:
    north_and_south(p)
    south_only = cycle_of(p, "South only", STARTED)
    south_only.services.set([p.south])
    page, blocks = dashboard(p, "moderator", cycle=str(south_only.public_id))
    assert "Choose a cycle from the list" in page
    assert blocks == []


def test_a_reader_with_no_cycle_is_told_there_are_no_figures(p: Personas) -> None:
    page, blocks = dashboard(p, "moderator")
    assert "No cycle has been planned" in page
    assert blocks == []


def test_a_team_name_with_markup_is_escaped_in_the_chart_and_the_table(p: Personas) -> None:
    Team.objects.filter(pk=p.north_a.pk).update(name='North <b>A</b> & "Co"')
    north_and_south(p)
    page, _ = dashboard(p, "moderator")
    svg = re.search(r"<svg\b.*?</svg>", page, re.S)
    assert svg is not None
    assert "North &lt;b&gt;A&lt;/b&gt; &amp;" in svg.group(0)
    assert "<b>A</b>" not in page


def test_a_chart_is_styled_without_inline_styles_which_the_sites_policy_refuses(
    p: Personas,
) -> None:
    cycle = north_and_south(p)
    counted_audit(p, cycle, team=p.north_b, overall="inadequate")
    response = p.client_for(p.moderator).get(reverse("reports:dashboard"))
    assert "style-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    svg = re.search(r'id="block-grades-overall".*?(<svg\b.*?</svg>)', page, re.S)
    assert svg is not None
    assert "style=" not in svg.group(1) and "<style" not in svg.group(1)
    assert 'fill="#f47738"' in svg.group(1)  # Good's colour, as an attribute
    assert 'fill="#d4351c"' in svg.group(1)  # Inadequate's: a colour is never taken for an id


def test_no_two_charts_on_a_page_share_an_id(p: Personas) -> None:
    north_and_south(p)
    page, _ = dashboard(p, "moderator")
    assert page.count("<svg") > 1
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_each_chart_sits_beside_its_table_with_a_caption_and_its_downloads(p: Personas) -> None:
    cycle = north_and_south(p)
    page, blocks = dashboard(p, "moderator")
    block = next(b for b in blocks if b.table is not None)
    assert block.table is not None
    assert (
        f'<caption class="govuk-table__caption govuk-table__caption--m">{block.table.caption}'
        in page
    )
    assert 'class="app-chart" role="img" aria-hidden="true"' in page
    csv_url = reverse("reports:dashboard_download_csv", args=[block.key])
    xlsx_url = reverse("reports:dashboard_download_xlsx", args=[block.key])
    assert f'href="{csv_url}?cycle={cycle.public_id}"' in page
    assert f'href="{xlsx_url}?cycle={cycle.public_id}"' in page


# Downloads


def table_lines(block: Block) -> list[list[str]]:
    """The block's table as the page shows it: heading, then each row's label and figures."""
    table = block.table
    assert table is not None
    lines = [[table.row_heading, *table.columns, table.total_heading, table.derived_heading]]
    for row in table.rows:
        assert row.total is not None and row.derived is not None
        lines.append([row.label, *(f.text for f in row.cells), row.total.text, row.derived.text])
    return lines


def test_a_download_holds_the_pages_table_for_the_readers_scope(p: Personas) -> None:
    cycle = north_and_south(p)
    for who in ("moderator", "team_manager"):
        _, blocks = dashboard(p, who, cycle=str(cycle.public_id))
        block = blocks[0]
        response = download(p, who, block.key, cycle=str(cycle.public_id))
        assert response.status_code == 200
        rows = csv_rows(response)
        expected = table_lines(block)
        start = rows.index(expected[0])
        assert rows[start : start + len(expected)] == expected
        labels = {row[0] for row in rows if row}
        assert "South A" not in labels
        assert ("North B" in labels) == (who == "moderator")


def test_an_xlsx_download_holds_the_same_table(p: Personas) -> None:
    cycle = north_and_south(p)
    _, blocks = dashboard(p, "senior_leader")
    response = download(p, "senior_leader", blocks[0].key, "xlsx", cycle=str(cycle.public_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    expected = table_lines(blocks[0])
    start = rows.index(expected[0])
    assert rows[start : start + len(expected)] == expected


def test_every_table_on_a_leads_dashboard_downloads_in_both_formats(p: Personas) -> None:
    cycle = north_and_south(p)
    _, blocks = dashboard(p, "moderator")
    keys = [block.key for block in blocks if block.table is not None]
    assert {"grades-overall", "grades-by-domain"} <= {k.rsplit("-", 1)[0] for k in keys} | set(keys)
    for key in keys:
        for fmt in ("csv", "xlsx"):
            response = download(p, "moderator", key, fmt, cycle=str(cycle.public_id))
            assert response.status_code == 200, (key, fmt)


def test_a_downloads_name_holds_the_table_and_the_cycle_never_a_person(p: Personas) -> None:
    cycle = north_and_south(p)
    response = download(p, "practitioner", "grades-overall", cycle=str(cycle.public_id))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="dashboard-grades-overall-{cycle.starts_on:%Y-%m-%d}.csv"'
    )
    text = response.content.decode()
    assert "Pat" not in text and "Practitioner" not in text
    assert "Your own audited cases" in text


def test_a_download_is_recorded_in_the_event_log(p: Personas) -> None:
    cycle = north_and_south(p)
    download(p, "moderator", "grades-overall", "xlsx", cycle=str(cycle.public_id))
    event = Event.objects.get(verb="dashboard.exported")
    assert event.target_id == str(cycle.public_id)
    assert event.after["block"] == "grades-overall"
    assert event.after["format"] == "xlsx"


def test_a_table_the_readers_dashboard_does_not_have_is_not_found(p: Personas) -> None:
    cycle = north_and_south(p)
    assert download(p, "moderator", "no-such-table", cycle=str(cycle.public_id)).status_code == 404
    assert download(p, "moderator", "no-such-table", "xlsx").status_code == 404


def test_a_download_for_a_cycle_that_is_not_the_readers_is_not_found(p: Personas) -> None:
    north_and_south(p)
    south_only = cycle_of(p, "South only", STARTED)
    south_only.services.set([p.south])
    for _ in range(6):
        counted_audit(p, south_only, team=p.south_a)
    response = download(p, "moderator", "grades-overall", cycle=str(south_only.public_id))
    assert response.status_code == 404


def test_auditors_administrators_and_board_members_download_nothing(p: Personas) -> None:
    cycle = north_and_south(p)
    for who in ("auditor", "administrator", "board_member"):
        response = download(p, who, "grades-overall", cycle=str(cycle.public_id))
        assert response.status_code == 403


# Long tables: their totals on the dashboard, the whole table on a page of its own


def table_page(p: Personas, who: str, key: str, **query: str):  # type: ignore[no-untyped-def]
    return p.client_for(getattr(p, who)).get(reverse("reports:dashboard_table", args=[key]), query)


def test_a_table_longer_than_the_dashboard_shows_is_summed_up_and_linked_in_full(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle = north_and_south(p)
    monkeypatch.setattr("auditloop.reports.views.dashboards.DASHBOARD_TABLE_ROWS", 1)
    page, blocks = dashboard(p, "moderator")
    overall = next(b for b in blocks if b.key == "grades-overall")
    assert overall.table is not None and len(overall.table.rows) == 2
    block = page.split('id="block-grades-overall"')[1].split('<div class="app-report-block')[0]
    # No team's row on the dashboard: the totals, and a link to the whole table.
    assert "North A" not in block and "North B" not in block
    assert '<th scope="row" class="govuk-table__header">Total</th>' in block
    link = reverse("reports:dashboard_table", args=["grades-overall"])
    assert f'href="{link}?cycle={cycle.public_id}"' in block
    whole = table_page(p, "moderator", "grades-overall", cycle=str(cycle.public_id))
    assert whole.status_code == 200
    body = whole.content.decode()
    assert "North A" in body and "North B" in body and "South A" not in body
    assert reverse("reports:dashboard_download_csv", args=["grades-overall"]) in body


def test_a_long_table_by_domain_or_month_stays_whole_on_the_dashboard(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only tables with a row for each team (or service) grow with what a reader oversees."""
    north_and_south(p)
    monkeypatch.setattr("auditloop.reports.views.dashboards.DASHBOARD_TABLE_ROWS", 1)
    page, blocks = dashboard(p, "moderator")
    by_domain = next(b for b in blocks if b.key == "grades-by-domain")
    assert by_domain.table is not None and len(by_domain.table.rows) > 1
    block = page.split('id="block-grades-by-domain"')[1].split('<div class="app-report-block')[0]
    assert all(row.label in block for row in by_domain.table.rows)
    assert "/dashboard/tables/" not in block


def test_a_table_short_enough_is_shown_whole_on_the_dashboard(p: Personas) -> None:
    north_and_south(p)
    page, _ = dashboard(p, "moderator")
    block = page.split('id="block-grades-overall"')[1].split('<div class="app-report-block')[0]
    assert "North A" in block and "North B" in block
    assert reverse("reports:dashboard_table", args=["grades-overall"]) not in block


def test_a_whole_table_page_is_scoped_as_the_dashboard_is(p: Personas) -> None:
    cycle = north_and_south(p)
    south_only = cycle_of(p, "South only", STARTED)
    south_only.services.set([p.south])
    assert table_page(p, "moderator", "no-such-table").status_code == 404
    assert (
        table_page(p, "moderator", "grades-overall", cycle=str(south_only.public_id)).status_code
        == 404
    )
    for who in ("auditor", "administrator", "board_member"):
        response = table_page(p, who, "grades-overall", cycle=str(cycle.public_id))
        assert response.status_code == 403
    manager = table_page(p, "team_manager", "grades-overall", cycle=str(cycle.public_id))
    assert manager.status_code == 200
    assert "North B" not in manager.content.decode()


# Who has a dashboard


def test_auditors_and_administrators_are_refused_a_dashboard_and_have_no_link(
    p: Personas,
) -> None:
    for who in ("auditor", "administrator"):
        client = p.client_for(getattr(p, who))
        response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 403
        assert "Your role does not give you access to it." in response.content.decode()
        home = client.get(reverse("home")).content.decode()
        assert f'href="{reverse("reports:dashboard")}"' not in home


def test_every_role_with_a_dashboard_has_a_link_to_it(p: Personas) -> None:
    for who in ("practitioner", "team_manager", "moderator", "senior_leader", "board_member"):
        home = p.client_for(getattr(p, who)).get(reverse("home")).content.decode()
        assert f'href="{reverse("reports:dashboard")}"' in home, who


def test_targets_are_reached_from_a_leads_dashboard_not_a_team_managers(p: Personas) -> None:
    north_and_south(p)
    assert f'href="{reverse("reports:targets")}"' in dashboard(p, "moderator")[0]
    assert f'href="{reverse("reports:targets")}"' not in dashboard(p, "team_manager")[0]


# The board member's page


def test_a_board_member_reads_issued_committee_reviews_and_published_key_messages(
    p: Personas,
) -> None:
    cycle = north_and_south(p)
    committee = issued_review(cycle, p.moderator, issued_on=TODAY)
    leaders = issued_review(cycle, p.moderator, audience=Audience.LEADERS, fmt="docx")
    building = issued_review(cycle, p.moderator, status=ReviewStatus.BUILDING, fmt="html")
    published_message("Plans that drift", cycle, p.moderator)
    published_message("Still a draft", cycle, p.moderator, status=KeyMessageStatus.DRAFT)
    page, blocks = dashboard(p, "board_member")
    assert blocks == []
    assert "<svg" not in page
    assert "PDF" in page
    assert "Word (docx)" not in page
    assert "Web page (HTML)" not in page
    assert reverse("reports:cycle-review", args=[committee.public_id]) in page
    assert reverse("reports:cycle-review", args=[leaders.public_id]) not in page
    assert reverse("reports:cycle-review", args=[building.public_id]) not in page
    assert f"{TODAY:%-d %b %Y}" in page
    assert "Plans that drift" in page
    assert "Still a draft" not in page


def test_a_board_members_page_names_no_child_no_member_of_staff_and_no_live_figure(
    p: Personas,
) -> None:
    cycle = north_and_south(p)
    issued_review(cycle, p.moderator)
    page, _ = dashboard(p, "board_member")
    for name in ("Pat Practitioner", "Morgan Moderator", "Alex Auditor", "Mary Manager", "Worker"):
        assert name not in page
    assert p.case.la_child_id not in page
    assert "govuk-table__cell--numeric" not in page
    assert reverse("reports:dashboard_download_csv", args=["grades-overall"]) not in page


# Query counts


def grow(p: Personas, cycle: Cycle, rounds: int) -> None:
    """More of everything a dashboard shows: teams of six audits in North, audits in North A
    (a third of them the practitioner's own), issued committee reviews, key messages."""
    for _ in range(rounds):
        i = Team.objects.count()
        team = Team.objects.create(service=p.north, name=f"Team {i}")
        for _ in range(6):
            counted_audit(p, cycle, team=team)
        for n in range(3):
            counted_audit(p, cycle, team=p.north_a, practitioner=p.practitioner if n == 0 else None)
        issued_review(cycle, p.moderator)
        published_message(f"Message {i}", cycle, p.moderator)


@pytest.mark.parametrize(
    "who", ["moderator", "senior_leader", "team_manager", "practitioner", "board_member"]
)
def test_a_dashboard_asks_as_many_queries_for_a_large_cycle_as_for_a_small_one(
    p: Personas, who: str
) -> None:
    cycle = cycle_of(p, "Spring", STARTED)
    # Enough to show every figure (a team of six audits is not withheld), then four times as
    # much: a figure with nothing to count asks fewer queries, which is not what is measured.
    grow(p, cycle, 2)
    client = p.client_for(getattr(p, who))
    url = reverse("reports:dashboard")
    client.get(url)

    def measured() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode()

    small, small_page = measured()
    grow(p, cycle, 4)
    large, large_page = measured()

    if who == "board_member":
        assert large_page.count("<tr") > small_page.count("<tr")
    else:
        counted = re.compile(r"(\d+) audits? (?:of your cases )?counts? in this cycle")
        assert int(counted.findall(large_page)[0]) > int(counted.findall(small_page)[0])
    assert large == small
