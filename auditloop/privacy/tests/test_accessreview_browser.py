"""The access review of one child in a real browser: the DPO goes from the menu to "Who has
read a child's records", types the child's ID into the form, reads who has read the child's
case file and audits, turns the page (the ID never enters a URL), and follows the unusual
reading report to a reader's day. Every page visited passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.accounts.models import Role
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.models import AccessLog
from auditloop.privacy.services.accessreview import reading_thresholds_set
from auditloop.testing import Personas, make_staff
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser

PageAs = Callable[..., Page]


def test_the_dpo_reviews_who_has_read_one_childs_records(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    audit = make_audit(p)
    assert p.auditor.user is not None
    access_shown(user=p.auditor.user, targets=[audit], purpose=Purpose.VIEW)
    assert p.practitioner.user is not None
    now = timezone.now()
    AccessLog.objects.bulk_create(
        AccessLog(
            user=p.practitioner.user,
            target_type="cases.childcase",
            target_id=str(p.case.public_id),
            purpose=Purpose.VIEW,
            at=now - datetime.timedelta(minutes=10 + i),
        )
        for i in range(55)
    )
    page = page_as(p.data_protection)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Data protection").click()
    expect(page.get_by_role("link", name="Who has read a child's records")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Who has read a child's records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has read a child's records")
    assert_accessible(page)

    page.get_by_role("button", name="Show who has read their records").click()
    expect(page.get_by_role("link", name="Enter the child's LA child ID.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("LA child ID").fill("00123")
    page.get_by_role("button", name="Show who has read their records").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has read this child's records")
    expect(page.get_by_text("56 reads", exact=False)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Alex Auditor")
    expect(table).to_contain_text(f"Dip sample audit {audit.reference}")
    assert "00123" not in page.title()
    assert_accessible(page)

    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Pat Practitioner")
    assert_accessible(page)
    assert not [url for url in asked if "00123" in url]


def test_the_dpo_follows_a_flagged_day_of_unusual_reading_to_the_reads(
    p: Personas,
    page_as: PageAs,  # noqa: F811
) -> None:
    reading_thresholds_set(
        cases_per_day=2,
        exempt_roles=[Role.DATA_PROTECTION],
        count_lists=False,
        by=p.data_protection,
    )
    reader = make_staff("wanderer", "Wren Wanderer", Role.PRACTITIONER, p.south_a)
    cases = [
        ChildCase.objects.create(la_child_id=f"NB-{i}", cohort=Cohort.CIN, allocated_team=p.north_b)
        for i in range(3)
    ]
    access_shown(user=reader.user, targets=cases, purpose=Purpose.VIEW)
    page = page_as(p.data_protection)

    page.goto("/data-protection/")
    page.get_by_role("link", name="Unusual reading", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unusual reading")
    row = page.get_by_role("row").filter(has_text="Wren Wanderer")
    expect(row).to_contain_text("3")
    assert_accessible(page)

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Reads on")
    expect(page.get_by_role("table")).to_contain_text("NB-2")
    expect(page.get_by_role("table")).to_contain_text("Outside")
    assert "NB-" not in page.url
    assert_accessible(page)

    page.goto("/data-protection/unusual-reading/thresholds/")
    page.get_by_label("Children outside their own in a day").fill("0")
    page.get_by_role("button", name="Save the thresholds").click()
    expect(
        page.get_by_role("link", name="The number of children must be 1 or more.")
    ).to_be_visible()
    assert_accessible(page)
