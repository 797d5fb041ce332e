"""Training in a real browser: an audit lead sets a rule, checks the rules for a cycle (a need
is raised), records a training event that answers it with who attended, imports the rest of the
register, and reads whether the training made a difference. Every page passes axe."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from auditloop.learning.models import TrainingAttendance, TrainingEvent, TrainingNeed
from auditloop.learning.tests.training_factories import (
    a_cycle,
    graded_audit,
    practitioners,
    quality_questions,
)
from auditloop.testing import Personas
from auditloop.tests.browser.conftest import browser, new_page, page_as  # noqa: F401
from auditloop.tests.browser.support import assert_accessible

pytestmark = pytest.mark.browser


def test_a_lead_sets_a_rule_raises_a_need_records_training_and_reads_its_impact(
    p: Personas,
    page_as: Callable[..., Page],  # noqa: F811
    tmp_path: object,
) -> None:
    cycle = a_cycle(p)
    voice = quality_questions(p)[0]
    for value in (1, 2, 2, 3, 3):
        graded_audit(p, cycle=cycle, question=voice, value=value)
    # Five in North A who will attend and five in North B who will not, each audited on the
    # domain before the training and after it.
    went = practitioners(p.north_a, 5, "went")
    stayed = practitioners(p.north_b, 5, "stayed")
    before = timezone.now() - datetime.timedelta(days=80)
    after = timezone.now() - datetime.timedelta(days=10)
    for person in went:
        for value, when in ((2, before), (2, before), (3, after), (3, after)):
            graded_audit(p, practitioner=person, question=voice, value=value, submitted_at=when)
    for person in stayed:
        for when in (before, before, after, after):
            graded_audit(
                p, practitioner=person, team=p.north_b, question=voice, value=2, submitted_at=when
            )

    domain = f"{voice.code} {voice.text[:80]} (Quality deep dive, version 1)"
    lead = page_as(p.moderator)
    lead.get_by_role("link", name="Training", exact=True).click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Training needs")
    assert_accessible(lead)

    lead.get_by_role("link", name="Training rules").click()
    lead.get_by_role("link", name="Set a rule").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Set a training rule")
    assert_accessible(lead)
    lead.get_by_role("button", name="Set the rule").click()
    expect(lead.locator(".govuk-error-summary")).to_contain_text("Enter a name for the rule")
    assert_accessible(lead)
    lead.get_by_label("Name of the rule").fill("Voice of the child")
    lead.get_by_role("radio", name=re.compile("A domain graded low")).check()
    lead.locator("#id_question").select_option(label=domain)
    lead.locator("#id_grade_value").select_option(label="Requires improvement or worse")
    lead.locator("#id_percent").fill("30")
    lead.get_by_role("button", name="Set the rule").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text(
        "Rule 'Voice of the child' set"
    )
    assert_accessible(lead)

    lead.get_by_role("link", name="Training needs").click()
    lead.locator("#check-cycle").select_option(label=cycle.name)
    lead.get_by_role("button", name="Check the rules").click()
    expect(lead.locator(".govuk-notification-banner").first).to_contain_text("1 new need raised")
    assert_accessible(lead)
    need = TrainingNeed.objects.get()
    lead.get_by_role("link", name=need.title).click()
    expect(lead.get_by_text("3 of the 5 counted audits of North A")).to_be_visible()
    assert_accessible(lead)

    lead.get_by_role("link", name="Back to training needs").click()
    lead.get_by_role("link", name="Training events").click()
    lead.get_by_role("link", name="Record a training event").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Record a training event")
    assert_accessible(lead)
    held = timezone.localdate() - datetime.timedelta(days=40)
    lead.get_by_label("Title").fill("Hearing the child")
    lead.get_by_label("Day").fill(str(held.day))
    lead.get_by_label("Month").fill(str(held.month))
    lead.get_by_label("Year").fill(str(held.year))
    lead.locator("#id_question").select_option(label=domain)
    lead.get_by_role("checkbox", name=re.compile("^Voice and lived")).check()
    for person in went[:3]:
        lead.get_by_role("checkbox", name=re.compile(f"^{person.name} ")).check()
    lead.get_by_role("button", name="Record the event").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("recorded")
    assert_accessible(lead)
    event = TrainingEvent.objects.get()
    need.refresh_from_db()
    assert need.status == "planned"

    # The other two attendees come from the register, by email.
    register = tmp_path / "register.csv"  # type: ignore[operator]
    register.write_text(
        "email,attended\n" + "".join(f"{person.email},yes\n" for person in went[3:])
    )
    lead.get_by_role("link", name="import a register (CSV)").click()
    expect(lead.get_by_label("Upload the attendance register")).to_be_visible()
    assert_accessible(lead)
    lead.get_by_label("Upload the attendance register").set_input_files(str(register))
    lead.get_by_role("button", name="Import the register").click()
    expect(lead.locator(".govuk-notification-banner")).to_contain_text("2 added")
    assert TrainingAttendance.objects.filter(event=event).count() == 5

    lead.get_by_role("link", name="Did the training make a difference?").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Did the training make a difference?")
    expect(lead.get_by_text("observational comparison, not proof")).to_be_visible()
    expect(lead.get_by_text("1.00 grade places")).to_be_visible()
    assert_accessible(lead)
