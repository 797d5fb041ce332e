"""An audit lead plans a cycle in a real browser: the cycle itself, a per-team quota, a dip
sample drawn with a seed and explained, deep dives chosen case by case, and "Plan this month".
Every page visited with JavaScript on passes axe (WCAG 2.2 AA); axe needs JavaScript, so the
JavaScript-off journey checks what the page says instead. No child's ID enters a URL."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from auditloop.audits.models import Audit, AuditType
from auditloop.cases.models import ChildCase, Cohort
from auditloop.sampling.models import Cycle, QuotaKind, SampleDraw
from auditloop.sampling.rules.draws import ANNEX_A_LIST
from auditloop.sampling.services.cycles import cycle_create, quota_add
from auditloop.sampling.tests.factories import cases_make
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]
CP_LABEL = f"Child protection (Annex A list {ANNEX_A_LIST[Cohort.CP]})"
CYCLE_NAME = "North, winter and spring"


def _this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def _month_label(day: datetime.date) -> str:
    return day.strftime("%B %Y")


def _cases(p: Personas) -> list[ChildCase]:
    """Eleven open child-protection cases in North (the practitioner's case among them), and
    cases the filters must leave out: child in need in North, child protection in South."""
    held = cases_make(5, team=p.north_a, prefix="NA-", worker=p.practitioner)
    other = cases_make(5, team=p.north_b, prefix="NB-")
    cases_make(3, team=p.north_a, prefix="CIN-", cohort=Cohort.CIN)
    cases_make(2, team=p.south_a, prefix="SA-", worker=p.outsider)
    return [p.case, *held, *other]


def _cycle(p: Personas) -> Cycle:
    """North's cycle from this month, audited by the auditor and the team manager."""
    return cycle_create(
        name=CYCLE_NAME,
        services=[p.north],
        starts_on=_this_month(),
        tools=[p.compliance_tool, p.quality_tool],
        audit_types=[AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE],
        auditors=[p.auditor, p.team_manager],
        by=p.moderator,
    )


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _record_urls(page: Page) -> list[str]:
    """Every URL the page asks for, public ids taken out (a digit-only child's ID such as
    00123 could otherwise turn up inside one by chance)."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(UUID.sub("<id>", request.url)))
    return asked


def _menu(page: Page, item: str) -> None:
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=item).click()


def _open_cycle(page: Page, *, check: bool) -> None:
    _menu(page, "Cycles")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit cycles")
    if check:
        assert_accessible(page)
    page.get_by_role("table", name=re.compile("Cycles you can see")).get_by_role(
        "link", name=CYCLE_NAME, exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CYCLE_NAME)
    if check:
        assert_accessible(page)


def _fill_date(page: Page, legend: str, day: datetime.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _draw_and_preview(page: Page, *, check: bool) -> None:
    """On the cycle's page: "Draw a sample", fill it in, preview it."""
    page.get_by_role("button", name="Draw a sample").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draw a sample")
    if check:
        assert_accessible(page)

    page.get_by_label("Cohort").select_option(label=CP_LABEL)
    page.get_by_role("group", name="Stratify the sample").get_by_label("By team").check()
    page.get_by_role("group", name="Size the sample by").get_by_label("A number of cases").check()
    page.get_by_role("spinbutton", name="Number of cases").fill("4")
    page.get_by_label("Seed", exact=True).fill("7")
    page.get_by_label("Type of audit").select_option(label="Dip sample")
    page.get_by_label("Audit tool").select_option(label="Compliance dip sample, version 1")
    page.get_by_label("Month the audits are planned for").select_option(
        label=_month_label(_this_month())
    )
    page.get_by_label("Create the audits and share them among the cycle's auditors").check()

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Nothing has been saved yet")
    rows = preview.locator(".govuk-summary-list__row")
    expect(rows.filter(has_text="Population")).to_contain_text("11 cases")
    expect(rows.filter(has_text="Sample")).to_contain_text("4 cases")
    expect(rows.filter(has_text="Margin of error")).to_contain_text(
        re.compile(r"±\d+(\.\d)? percentage points at 95% confidence")
    )
    strata = preview.get_by_role("table", name="Strata")
    expect(strata.get_by_role("row", name=re.compile("North A"))).to_contain_text("6")
    expect(strata.get_by_role("row", name=re.compile("North B"))).to_contain_text("5")
    assert not SampleDraw.objects.exists(), "a preview must store nothing"
    if check:
        assert_accessible(page)


def _save_the_draw(page: Page) -> None:
    page.get_by_role("button", name="Save the draw").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Sample of 4 cases drawn. 4 audits created."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("How this sample was drawn")


def test_audit_lead_plans_a_cycle_draws_a_dip_sample_and_explains_it(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    chosen_from = {c.la_child_id for c in _cases(p)}
    page = page_as(p.moderator)
    asked = _record_urls(page)

    # The cycle: name, dates, services, audit tools, types and who audits.
    _menu(page, "Cycles")
    expect(page.get_by_text("There are no cycles yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Plan a cycle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a cycle")
    assert_accessible(page)
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a name for the cycle.")
    assert_accessible(page)

    start = _this_month()
    page.get_by_label("Name").fill(CYCLE_NAME)
    page.get_by_role("group", name="Services").get_by_label("North").check()
    _fill_date(page, "Start date", start)
    tools = page.get_by_role("group", name="Audit tools")
    tools.get_by_label("Compliance dip sample, version 1").check()
    tools.get_by_label("Quality deep dive, version 1").check()
    types = page.get_by_role("group", name="Types of audit")
    types.get_by_label("Dip sample", exact=True).check()
    types.get_by_label("Deep dive", exact=True).check()
    auditors = page.get_by_role("group", name="Who audits")
    auditors.get_by_label("Alex Auditor (Auditor or QA officer, North B)").check()
    auditors.get_by_label("Mary Manager (Team manager, North A)").check()
    page.get_by_role("button", name="Plan the cycle").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Cycle {CYCLE_NAME} planned."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(CYCLE_NAME)
    assert_accessible(page)
    cycle = Cycle.objects.get(name=CYCLE_NAME)
    assert cycle.starts_on == start
    assert set(cycle.auditors.all()) == {p.auditor, p.team_manager}

    # A dip sample of two cases from each team a month.
    page.get_by_text("Add a quota").click()
    page.get_by_role("group", name="What the quota counts").get_by_label(
        "Cases from each team, a month"
    ).check()
    page.get_by_label("Type of audit").select_option(label="Dip sample")
    page.get_by_label("How many a month").fill("2")
    page.get_by_role("button", name="Add the quota").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Quota added.")
    quotas = page.get_by_role("table", name="Quotas of this cycle")
    expect(quotas.get_by_role("row").nth(1)).to_contain_text("Every team")
    assert_accessible(page)
    assert cycle.quotas.get().kind == QuotaKind.PER_TEAM

    # Draw child-protection cases with a seed: preview, then save and share out.
    _draw_and_preview(page, check=True)
    _save_the_draw(page)
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "gives the same 4 cases in the same order"
    )
    assert_accessible(page)

    # The explanation: filters, seed, population and each case in the order drawn.
    filters = page.locator(".govuk-summary-list")
    expect(filters.locator(".govuk-summary-list__row", has_text="Seed")).to_contain_text("7")
    expect(filters.locator(".govuk-summary-list__row", has_text="Cohort")).to_contain_text(
        "CP (Annex A list 7)"
    )
    population = page.get_by_role("table", name=re.compile("From the cases matching"))
    expect(
        population.get_by_role("row", name=re.compile("Population the sample was drawn from"))
    ).to_contain_text("11")
    order = page.get_by_role("table", name="The cases chosen, in the order drawn")
    body_rows = order.locator("tbody tr")
    expect(body_rows).to_have_count(4)
    draw = SampleDraw.objects.get(cycle=cycle)
    audits = Audit.objects.filter(cycle_link__draw=draw).select_related("case", "auditor")
    assert audits.count() == 4
    for audit in audits:
        assert audit.case.la_child_id in chosen_from
        row = body_rows.filter(has_text=audit.case.la_child_id)
        expect(row).to_contain_text(audit.auditor.name)
        expect(row).to_contain_text(audit.case.allocated_team.name)  # type: ignore[union-attr]

    # The overview: planned against done by team and month.
    page.get_by_role("link", name=f"Back to {CYCLE_NAME}").click()
    expect(page.get_by_role("table", name="Samples drawn in this cycle")).to_contain_text(
        "Drawn at random"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Planned against done").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planned against done")
    by_team = page.get_by_role("table", name="By team and month")
    expect(by_team.get_by_role("columnheader", name=start.strftime("%b %Y"))).to_be_visible()
    for team in ("North A", "North B"):
        planned = audits.filter(case__allocated_team__name=team).count()
        expect(by_team.get_by_role("row", name=re.compile(f"^{team}"))).to_contain_text(
            f"0 of {planned} done" if planned else "None planned"
        )
    expect(by_team.locator("tfoot")).to_contain_text("0 of 4 done")
    by_auditor = page.get_by_role("table", name="By auditor")
    expect(by_auditor.locator("tbody tr")).to_have_count(len({a.auditor_id for a in audits}))
    assert_accessible(page)

    assert not [url for url in asked if any(child in url for child in chosen_from)]


def test_dip_sample_preview_and_save_work_with_javascript_off(
    p: Personas,
    new_page: Callable[..., Page],  # noqa: F811
    live_server: LiveServer,
) -> None:
    _cases(p)
    cycle = _cycle(p)
    page = new_page(javascript=False)
    sign_in(page, live_server.url, "moderator")
    _open_cycle(page, check=False)
    _draw_and_preview(page, check=False)
    _save_the_draw(page)
    draw = SampleDraw.objects.get(cycle=cycle)
    assert draw.seed == 7
    assert draw.size == 4
    assert Audit.objects.filter(cycle_link__draw=draw).count() == 4


def test_audit_lead_chooses_a_case_for_a_deep_dive_and_the_auditor_sees_it(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    cycle = _cycle(p)
    page = page_as(p.moderator)
    asked = _record_urls(page)
    _open_cycle(page, check=True)
    page.get_by_role("button", name="Choose cases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choose cases for deep dives and thematic audits"
    )
    assert_accessible(page)

    page.get_by_label("LA child ID").fill("S-0999")
    page.get_by_role("button", name="Find the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "No open case with that LA child ID in this cycle's services."
    )
    assert_accessible(page)

    page.get_by_label("LA child ID").fill(p.case.la_child_id)
    page.get_by_role("button", name="Find the case").click()
    found = page.locator("#found")
    expect(found).to_contain_text(f"Case {p.case.la_child_id}")
    # The team manager manages the worker who holds the case, so cannot audit it.
    expect(found).to_contain_text("except Mary Manager")
    assert_accessible(page)

    reason = "Three referrals in a year; the plan has not changed."
    found.get_by_label("Why this case").fill(reason)
    found.get_by_role("button", name="Add to the list").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Case added to the list.")
    chosen = page.get_by_role("table", name="Cases chosen, not yet planned")
    expect(chosen).to_contain_text(reason)
    assert_accessible(page)

    page.get_by_role("group", name="Type of audit").get_by_label("Deep dive").check()
    page.get_by_label("Audit tool").select_option(label="Quality deep dive, version 1")
    page.get_by_label("Month the audits are planned for").select_option(
        label=_month_label(_this_month())
    )
    who = page.get_by_label("Who audits")
    expect(who.locator("option", has_text="Mary Manager")).to_have_count(0)
    who.select_option(label="Alex Auditor (Auditor or QA officer)")
    page.get_by_role("button", name="Plan 1 audit").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 audit planned.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Why these cases were chosen")
    explained = page.get_by_role("table", name="The cases chosen")
    expect(explained).to_contain_text(reason)
    expect(explained).to_contain_text("Morgan Moderator")
    expect(explained).to_contain_text("Alex Auditor")
    assert_accessible(page)

    audit = Audit.objects.get(cycle_link__cycle=cycle)
    assert audit.audit_type == AuditType.DEEP_DIVE
    assert audit.auditor == p.auditor
    assert audit.case == p.case
    assert not [url for url in asked if p.case.la_child_id in url]

    auditor_page = page_as(p.auditor)
    assigned = auditor_page.get_by_role("table", name=re.compile("Audits assigned to you"))
    opened = assigned.get_by_role("link", name=f"Deep dive, case {p.case.la_child_id}")
    expect(opened).to_be_visible()
    assert_accessible(auditor_page)
    opened.click()
    expect(auditor_page.get_by_role("heading", level=1)).to_contain_text("Deep dive")
    assert_accessible(auditor_page)

    # The administrator sees the lead's changes in the event log, and both reads in the
    # access log; neither log carries the child's ID.
    admin = page_as(p.administrator)
    _menu(admin, "Administration")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Administration")
    assert_accessible(admin)
    admin.get_by_role("link", name="Event log").click()
    admin.get_by_label("Who").fill("moderator")
    admin.get_by_role("button", name="Apply filters").click()
    events = admin.get_by_role("table", name="Events, newest first")
    for verb, summary in [
        ("Cycle planned", CYCLE_NAME),
        ("Case added to a pick list", "Case added to the pick list"),
        (
            "Audits planned from a pick list",
            f"1 chosen case planned for {_month_label(_this_month())}",
        ),
        ("Audit planned", "Deep dive audit planned"),
    ]:
        row = events.locator("tbody tr", has_text=verb)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(summary)
        expect(row).to_contain_text("Morgan Moderator (moderator)")
    assert p.case.la_child_id not in events.inner_text()
    assert_accessible(admin)

    _menu(admin, "Administration")
    admin.get_by_role("link", name="Access log").click()
    reads = admin.get_by_role("table", name="Reads, newest first")
    # The auditor was shown the audit on their home page, then opened it.
    auditor_reads = reads.locator("tbody tr", has_text="Alex Auditor (auditor)").filter(
        has_text="Audit"
    )
    expect(auditor_reads.filter(has_text="Named on a list").first).to_contain_text(
        str(audit.public_id)
    )
    opened = auditor_reads.filter(has=admin.get_by_role("cell", name="Read", exact=True))
    expect(opened.first).to_contain_text(str(audit.public_id))
    # The lead read the case when finding it, and again each time the pick list showed it.
    moderator_reads = reads.locator("tbody tr", has_text="Morgan Moderator (moderator)").filter(
        has_text="Case file"
    )
    expect(moderator_reads.filter(has_text="pick list").first).to_contain_text(
        str(p.case.public_id)
    )
    expect(moderator_reads.filter(has_not_text="pick list").first).to_contain_text(
        str(p.case.public_id)
    )
    assert p.case.la_child_id not in reads.inner_text()
    assert_accessible(admin)


def test_audit_lead_plans_this_month_from_the_team_quotas_once(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    _cases(p)
    cycle = _cycle(p)
    quota_add(
        cycle=cycle,
        kind=QuotaKind.PER_TEAM,
        audit_type=AuditType.DIP_SAMPLE,
        per_month=2,
        by=p.moderator,
    )
    month = _month_label(_this_month())
    page = page_as(p.moderator)
    _open_cycle(page, check=True)
    page.get_by_role("button", name="Plan this month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a month from the team quotas")
    expect(page.get_by_text("2 cases from each team for a dip sample")).to_be_visible()
    assert_accessible(page)

    expect(page.get_by_label("Month to plan")).to_have_value(_this_month().isoformat())
    expect(page.get_by_label("Audit tool for the dip sample audits")).to_contain_text(
        "Compliance dip sample, version 1"
    )
    page.get_by_label("Seed", exact=True).fill("11")
    page.get_by_role("button", name="Plan the month").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"{month} planned: 4 audits created."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{month} from the team quotas")
    by_team = page.get_by_role("table", name="By team")
    expect(by_team.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)
    planned = Audit.objects.filter(cycle_link__cycle=cycle).count()
    assert planned == 4

    # A second attempt at the same month is refused, and says why.
    page.get_by_role("link", name="Back to plan a month").click()
    months = page.get_by_role("table", name="Months of the cycle")
    expect(months.get_by_role("row", name=re.compile(month))).to_contain_text("4 audits")
    page.get_by_label("Seed", exact=True).fill("12")
    page.get_by_role("button", name="Plan the month").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"{month} is already planned from the team quotas (4 audits). Nothing new was drawn."
    )
    assert_accessible(page)
    assert Audit.objects.filter(cycle_link__cycle=cycle).count() == planned
