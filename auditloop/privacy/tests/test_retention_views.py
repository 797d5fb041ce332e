"""The retention pages: the schedule and its rules, legal holds, and the dry run with its
"Run retention now" button, for administrators and the Data Protection Officer only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from auditloop.audits.models import Audit
from auditloop.core.models import AccessLog, Event
from auditloop.privacy.models import LegalHold, RetentionRule
from auditloop.privacy.tests.retention_factories import SECRET, old_cycle
from auditloop.testing import Personas

SCHEDULE = reverse("privacy:retention_schedule")
HOLDS = reverse("privacy:legal_holds")
HOLD_ADD = reverse("privacy:legal_hold_add")
DRY_RUN = reverse("privacy:retention_dry_run")
RUN = reverse("privacy:retention_run")


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("role", ["administrator", "data_protection"])
def test_the_administrator_and_the_dpo_read_the_schedule_of_every_kind(
    p: Personas, role: str
) -> None:
    page = p.client_for(getattr(p, role)).get(SCHEDULE).content.decode()
    for kind in ("Audits", "Audit answers", "Unsafe-child flags", "Access log", "Event log"):
        assert f">{kind}</th>" in page
    assert "the child&#x27;s date of birth" in page.lower() or "child's date of birth" in page
    assert "should confirm its own schedule" in page


@pytest.mark.parametrize("role", ["moderator", "senior_leader", "practitioner", "board_member"])
def test_nobody_else_opens_the_retention_pages(p: Personas, role: str) -> None:
    client = p.client_for(getattr(p, role))
    for url in (SCHEDULE, HOLDS, HOLD_ADD, DRY_RUN):
        assert client.get(url).status_code == 403
    assert client.post(RUN, {"confirm": "on"}).status_code == 403


def test_the_data_protection_page_links_the_retention_pages(p: Personas) -> None:
    page = p.client_for(p.data_protection).get(reverse("privacy:index")).content.decode()
    for url in (SCHEDULE, HOLDS, DRY_RUN):
        assert f'href="{url}"' in page
    assert "slot:" not in page


def test_the_dpo_changes_a_rule_and_the_change_is_an_event(p: Personas) -> None:
    client = p.client_for(p.data_protection)
    client.get(SCHEDULE)
    rule = RetentionRule.objects.get(kind="access_log")
    url = reverse("privacy:retention_rule_change", args=[rule.public_id])
    response = client.post(
        url,
        {
            "years": "3",
            "months": "6",
            "anchor": "created",
            "outcome": "delete",
            "basis": "Our records manager's decision, May 2026.",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.years, rule.months, rule.changed_by) == (3, 6, p.data_protection)
    event = Event.objects.get(verb="retention_rule.changed")
    assert (event.before["years"], event.after["years"], event.after["months"]) == (2, 3, 6)
    assert "3 years and 6 months" in client.get(SCHEDULE).content.decode()


def test_a_rule_the_rules_refuse_gets_a_clear_message_on_its_field(p: Personas) -> None:
    client = p.client_for(p.administrator)
    client.get(SCHEDULE)
    audits = RetentionRule.objects.get(kind="audits")
    url = reverse("privacy:retention_rule_change", args=[audits.public_id])
    page = client.get(url).content.decode()
    assert 'value="delete"' not in page  # audits are anonymised, never deleted

    cases = [
        ({"years": "0", "months": "0"}, "Enter a period of at least one month."),
        ({"years": "six", "months": "0"}, "Years must be a whole number, like 6."),
        ({"years": "6", "months": "14"}, "Months must be between 0 and 11"),
        ({"years": "6", "months": "0", "outcome": "delete"}, "Choose one of the ends offered."),
    ]
    for changes, message in cases:
        data = {
            "years": "6",
            "months": "0",
            "anchor": "audit_completed",
            "outcome": "anonymise",
            **changes,
        }
        response = client.post(url, data)
        page = response.content.decode()
        assert response.status_code == 200
        assert title(page).startswith("Error:")
        assert "govuk-error-summary" in page and message in page
    audits.refresh_from_db()
    assert (audits.years, audits.outcome) == (6, "anonymise")


def test_a_case_is_put_on_hold_by_its_id_in_a_form_never_in_a_url(p: Personas) -> None:
    client = p.client_for(p.data_protection)
    response = client.post(
        HOLD_ADD, {"la_child_id": p.case.la_child_id.lower(), "reason": "Claim ref 2026/14"}
    )
    assert response.status_code == 302 and p.case.la_child_id not in response["Location"]
    hold = LegalHold.objects.get()
    assert (hold.case, hold.set_by, hold.reason) == (p.case, p.data_protection, "Claim ref 2026/14")

    page = client.get(HOLDS).content.decode()
    assert p.case.la_child_id in page and "Claim ref 2026/14" in page
    assert p.case.la_child_id not in title(page)
    assert AccessLog.objects.filter(
        target_id=str(p.case.public_id), purpose="legal hold", user=p.data_protection.user
    ).exists()


def test_an_unknown_id_or_a_missing_reason_is_refused_with_a_message(p: Personas) -> None:
    client = p.client_for(p.data_protection)
    page = client.post(HOLD_ADD, {"la_child_id": "NOPE-1", "reason": "Claim"}).content.decode()
    assert "No case file has this LA child ID." in page
    page = client.post(HOLD_ADD, {"la_child_id": p.case.la_child_id}).content.decode()
    assert "Enter why the case is on hold." in page
    assert p.case.la_child_id not in title(page)
    assert not LegalHold.objects.exists()


def test_a_hold_is_taken_off_with_a_reason(p: Personas) -> None:
    client = p.client_for(p.administrator)
    client.post(HOLD_ADD, {"la_child_id": p.case.la_child_id, "reason": "Inquiry"})
    hold = LegalHold.objects.get()
    url = reverse("privacy:legal_hold_remove", args=[hold.public_id])
    page = client.get(url).content.decode()
    assert p.case.la_child_id not in title(page)
    assert "Enter why the hold is taken off." in client.post(url, {}).content.decode()

    assert client.post(url, {"reason": "Inquiry closed"}).status_code == 302

    hold.refresh_from_db()
    assert not hold.is_active and hold.removed_reason == "Inquiry closed"
    page = client.get(HOLDS).content.decode()
    assert "No case is on legal hold." in page and "Inquiry closed" in page


def test_the_dry_run_page_counts_what_would_go_and_changes_nothing(p: Personas) -> None:
    old_cycle(p, audits=2)
    page = p.client_for(p.data_protection).get(DRY_RUN).content.decode()
    audits_row = re.search(r">Audits</th>.*?</tr>", page, re.S)
    assert audits_row is not None and ">2</td>" in audits_row.group(0)
    assert "Run retention now" in page
    assert p.case.la_child_id not in page and SECRET not in page
    assert Audit.objects.filter(strengths=SECRET).count() == 2


def test_running_retention_asks_for_confirmation_first(p: Personas) -> None:
    old_cycle(p, audits=2)
    client = p.client_for(p.data_protection)
    response = client.post(RUN, {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Confirm that you understand the records will go." in page
    assert Audit.objects.filter(strengths=SECRET).count() == 2
    assert client.get(RUN).status_code == 405


def test_running_retention_from_the_page_anonymises_and_says_how_many(p: Personas) -> None:
    old_cycle(p, audits=2)
    client = p.client_for(p.data_protection)
    response = client.post(RUN, {"confirm": "on"}, follow=True)
    page = response.content.decode()
    assert "Retention run finished: 2 audits anonymised" in page
    assert not Audit.objects.filter(strengths=SECRET).exists()
    assert Event.objects.filter(verb="retention.applied", actor=p.data_protection.user).exists()


def test_the_logs_still_read_after_a_run_deleted_the_records_they_name(p: Personas) -> None:
    old_cycle(p, audits=1)
    client = p.client_for(p.data_protection)
    client.post(RUN, {"confirm": "on"})
    admin = p.client_for(p.administrator)
    page = admin.get(reverse("accounts:event_list")).content.decode()
    assert "Retention schedule applied" in page
    assert admin.get(reverse("accounts:access_log")).status_code == 200
