from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import Audit
from auditloop.core.models import AccessLog, Event
from auditloop.learning.access.key_message_roles import review_refusal
from auditloop.learning.models import KeyMessage, KeyMessageRecipient, KeyMessageStatus
from auditloop.learning.redaction import redactor_for_database
from auditloop.learning.selectors.key_message_texts import (
    parts_redacted,
    text_digest,
    text_to_publish,
)
from auditloop.learning.selectors.key_messages import Scope
from auditloop.learning.services.key_messages import (
    key_message_acknowledge,
    key_message_compile,
    key_message_publish,
    key_message_submit,
    key_message_withdraw,
)
from auditloop.learning.tests.key_message_factories import (
    counted_team,
    draft_for,
    in_review,
    make_cycle,
    make_point,
    parts_written,
    second_lead,
)
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def url(name: str, message: KeyMessage | None = None) -> str:
    if message is None:
        return reverse(f"learning:{name}")
    return reverse(f"learning:{name}", kwargs={"public_id": message.public_id})


def published(p: Personas) -> KeyMessage:
    message = in_review(p)
    message.why_it_matters = "Pat Practitioner saw the child alone at NW1 6XE."
    message.save()
    reviewer = second_lead(p)
    seen = text_digest(text_to_publish(parts_redacted(message, redactor_for_database())))
    return key_message_publish(key_message=message, by=reviewer, seen=seen)


def client(p: Personas, staff: StaffMember) -> Client:
    return p.client_for(staff)


# Who sees what


def test_a_draft_is_seen_only_by_the_audit_leads_and_senior_leaders(p: Personas) -> None:
    message = draft_for(p)
    seen_by = {
        who: client(p, staff).get(url("key_message_detail", message)).status_code
        for who, staff in p.all_roles().items()
    }
    assert seen_by == {
        "practitioner": 404,
        "team_manager": 404,
        "auditor": 404,
        "moderator": 200,
        "senior_leader": 200,
        "board_member": 404,
        "administrator": 404,
        "data_protection": 404,
        "partner": 404,
        "outsider": 404,
    }


def test_a_draft_is_hidden_from_a_senior_leader_or_lead_over_other_services(
    p: Personas,
) -> None:
    message = draft_for(p)  # for North A
    south_leader = make_staff("leader2", "Sam Southleader", Role.SENIOR_LEADER, services=[p.south])
    south_lead = make_staff("lead3", "Kit Southlead", Role.MODERATOR, services=[p.south])
    for staff in (south_leader, south_lead):
        assert client(p, staff).get(url("key_message_detail", message)).status_code == 404
        assert client(p, staff).get(url("briefing_html", message)).status_code == 404


def test_a_draft_to_every_service_is_seen_only_by_those_over_every_one_of_them(
    p: Personas,
) -> None:
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north, p.south])
    counted_team(p, cycle)
    author = make_staff("lead3", "Kit Bothlead", Role.MODERATOR, services=[p.north, p.south])
    other = make_staff("lead4", "Ash Bothlead", Role.MODERATOR, services=[p.north, p.south])
    message = key_message_compile(by=author, scope=Scope(cycle=cycle))
    seen_by = {
        who: client(p, staff).get(url("key_message_detail", message)).status_code
        for who, staff in {
            "its author": author,
            "another lead over North and South": other,
            "a lead over North only": p.moderator,
            "a senior leader over North only": p.senior_leader,
        }.items()
    }
    assert seen_by == {
        "its author": 200,
        "another lead over North and South": 200,
        "a lead over North only": 404,
        "a senior leader over North only": 404,
    }
    # Who may review it agrees.
    assert review_refusal(p.moderator, message)
    assert review_refusal(p.senior_leader, message)
    assert not review_refusal(other, message)


def test_a_published_message_is_seen_by_its_recipients_leads_leaders_and_the_board(
    p: Personas,
) -> None:
    message = published(p)
    seen_by = {
        who: client(p, staff).get(url("key_message_detail", message)).status_code
        for who, staff in p.all_roles().items()
    }
    assert seen_by == {
        "practitioner": 200,
        "team_manager": 200,
        "auditor": 404,  # not sent to them
        "moderator": 200,
        "senior_leader": 200,
        "board_member": 200,
        "administrator": 404,
        "data_protection": 404,
        "partner": 404,
        "outsider": 404,
    }


def test_readers_see_the_redacted_text_and_never_the_draft(p: Personas) -> None:
    message = published(p)
    page = client(p, p.practitioner).get(url("key_message_detail", message)).content.decode()
    assert "[social worker] saw the child alone at [postcode]" in page
    assert "Pat Practitioner saw" not in page and "NW1 6XE" not in page


def test_the_list_shows_a_practitioner_what_was_sent_to_them_unread_marked(p: Personas) -> None:
    message = published(p)
    draft_for(p)  # a draft: not theirs to see
    page = client(p, p.practitioner).get(url("key_message_list")).content.decode()
    assert page.count('<tr class="govuk-table__row">') == 2  # the header and one message
    assert "Not read yet" in page
    key_message_acknowledge(key_message=message, by=p.practitioner)
    page = client(p, p.practitioner).get(url("key_message_list")).content.decode()
    assert "Not read yet" not in page


def test_the_list_never_falls_back_on_a_published_messages_draft_title(p: Personas) -> None:
    message = published(p)
    message.title = "Visits by Pat Practitioner"
    message.published_text = {**message.published_text, "title": ""}
    message.save()
    page = client(p, p.practitioner).get(url("key_message_list")).content.decode()
    assert "Visits by" not in page
    assert ">Key message</a>" in page


def test_the_list_shows_a_lead_drafts_and_published_messages(p: Personas) -> None:
    published(p)
    draft_for(p, cycle=make_cycle("Winter", datetime.date(2026, 1, 1), [p.north]))
    page = client(p, p.moderator).get(url("key_message_list")).content.decode()
    assert "Draft" in page and "Published" in page
    assert "Compile key messages" in page


def test_a_withdrawn_message_is_still_read_by_its_recipients_marked_withdrawn(
    p: Personas,
) -> None:
    message = published(p)
    key_message_withdraw(key_message=message, by=p.moderator, reason="The figures were wrong.")
    response = client(p, p.practitioner).get(url("key_message_detail", message))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Withdrawn on" in page and "The figures were wrong." in page
    assert "I have read this" not in page


def test_the_withdrawal_reason_is_shown_redacted(p: Personas) -> None:
    message = published(p)
    key_message_withdraw(
        key_message=message, by=p.moderator, reason="Pat Practitioner's audit was miscounted."
    )
    for reader in (p.practitioner, p.moderator):
        page = client(p, reader).get(url("key_message_detail", message)).content.decode()
        warning = page.split("govuk-warning-text__text")[1].split("</strong>")[0]
        assert "[social worker]" in warning
        assert "Pat Practitioner" not in warning


# The moderation blind, and the reads of the audits examples come from


def with_examples(p: Personas) -> tuple[KeyMessage, list[Audit]]:
    """A draft for North A whose examples come from two of its audits."""
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    audits = counted_team(p, cycle, answers=["good"])
    make_point(audits[0], text="The child's wishes were recorded in their own words.")
    make_point(audits[1], text="Every visit saw the child alone and said what changed.")
    return draft_for(p, cycle=cycle), audits


def blind(audit: Audit, moderator: StaffMember) -> None:
    Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=moderator,
    )


def test_a_reader_moderating_a_source_audit_blind_sees_no_example(p: Personas) -> None:
    message, audits = with_examples(p)
    reviewer = second_lead(p)
    blind(audits[0], reviewer)
    for page_name in ("key_message_detail", "briefing_html"):
        page = client(p, reviewer).get(url(page_name, message)).content.decode()
        assert "in their own words" not in page and "saw the child alone" not in page
    assert "drawn from an audit you are moderating blind" in (
        client(p, reviewer).get(url("key_message_detail", message)).content.decode()
    )
    # Its author, who is not moderating it, still reads them.
    page = client(p, p.moderator).get(url("key_message_detail", message)).content.decode()
    assert "in their own words" in page


def test_a_lead_moderating_a_source_audit_blind_may_not_review_it(p: Personas) -> None:
    message, audits = with_examples(p)
    key_message_submit(key_message=parts_written(message), by=p.moderator)
    reviewer = second_lead(p)
    blind(audits[1], reviewer)
    assert "moderating blind" in review_refusal(reviewer, message)
    response = client(p, reviewer).get(url("key_message_review", message), follow=True)
    page = response.content.decode()
    assert "moderating blind" in page
    assert "saw the child alone" not in page


def test_reading_a_drafts_examples_is_logged_against_their_audits(p: Personas) -> None:
    message, audits = with_examples(p)
    drawn = {str(audits[0].public_id), str(audits[1].public_id)}
    for who, page_name in (
        (p.moderator, "key_message_detail"),
        (p.senior_leader, "briefing_html"),
    ):
        AccessLog.objects.all().delete()
        assert client(p, who).get(url(page_name, message)).status_code == 200
        logged = AccessLog.objects.filter(user=who.user, purpose="key message")
        assert set(logged.values_list("target_id", flat=True)) == drawn
    key_message_submit(key_message=parts_written(message), by=p.moderator)
    AccessLog.objects.all().delete()
    reviewer = second_lead(p)
    assert client(p, reviewer).get(url("key_message_review", message)).status_code == 200
    logged = AccessLog.objects.filter(user=reviewer.user, purpose="key message")
    assert set(logged.values_list("target_id", flat=True)) == drawn


# Acknowledging, and the figures of who has


def test_a_practitioner_acknowledges_with_one_press_and_one_event(p: Personas) -> None:
    message = published(p)
    reader = client(p, p.practitioner)
    page = reader.get(url("key_message_detail", message)).content.decode()
    assert "I have read this" in page
    reader.post(url("key_message_acknowledge", message))
    reader.post(url("key_message_acknowledge", message))
    row = KeyMessageRecipient.objects.get(key_message=message, staff=p.practitioner)
    assert row.acknowledged_at is not None
    assert Event.objects.filter(verb="key_message.acknowledged").count() == 1
    page = reader.get(url("key_message_detail", message)).content.decode()
    assert "You confirmed that you read this" in page


def test_who_has_not_read_it_is_named_to_the_lead_and_line_manager_only(p: Personas) -> None:
    message = published(p)
    key_message_acknowledge(key_message=message, by=p.team_manager)

    def page(staff: StaffMember) -> str:
        return client(p, staff).get(url("key_message_detail", message)).content.decode()

    lead = page(p.moderator)
    assert "1 of 2 people have confirmed they read it" in lead
    assert "Pat Practitioner" in lead
    manager = page(p.team_manager)  # Pat's line manager
    assert "Pat Practitioner" in manager and "0 of 1" in manager
    leader = page(p.senior_leader)
    assert "1 of 2 people" in leader and "Pat Practitioner" not in leader
    assert "Who has read it" not in page(p.practitioner)
    board = page(p.board_member)
    assert "Who has read it" not in board and "Pat Practitioner" not in board


# Compiling, editing, reviewing through the pages


def test_a_lead_compiles_a_draft_through_the_form(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    audits = counted_team(p, cycle, 5, answers=["good"])
    make_point(audits[0])
    lead = client(p, p.moderator)
    assert lead.get(url("key_message_create")).status_code == 200
    response = lead.post(
        url("key_message_create"), {"cycle": cycle.pk, "scope": "team", "team": p.north_a.pk}
    )
    message = KeyMessage.objects.get()
    assert response["Location"] == url("key_message_detail", message)
    assert message.team == p.north_a and message.figures["audits"] == 5
    # The learning point drawn into an example was read (redacted): logged against its audit.
    read = AccessLog.objects.get(user=p.moderator.user, purpose="key message")
    assert read.target_id == str(audits[0].public_id)


def test_the_compile_form_says_what_is_missing(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    page = client(p, p.moderator).post(
        url("key_message_create"), {"cycle": cycle.pk, "scope": "team"}
    )
    assert "Choose the team" in page.content.decode()
    assert not KeyMessage.objects.exists()


def test_a_small_groups_figures_are_said_to_be_suppressed_on_the_page(p: Personas) -> None:
    cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
    counted_team(p, cycle, 2, answers=["good"])
    message = draft_for(p, cycle=cycle)
    page = client(p, p.moderator).get(url("key_message_detail", message)).content.decode()
    assert "Figures not shown: fewer than 5 audits" in page


def test_only_roles_that_compile_reach_the_compile_form(p: Personas) -> None:
    for who, staff in p.all_roles().items():
        status = client(p, staff).get(url("key_message_create")).status_code
        assert status == (200 if who == "moderator" else 403), who


def test_the_author_edits_and_sends_for_review_through_the_pages(p: Personas) -> None:
    message = draft_for(p)
    author = client(p, p.moderator)
    form = {
        "title": "Seeing children alone",
        "what_we_found": "Found.",
        "why_it_matters": "Matters.",
        "what_good_looks_like": "Good.",
        "what_to_do_next": "Next.",
    }
    for n, example in enumerate(message.examples, start=1):
        form[f"example_{n}"] = example["text"]
    assert author.post(url("key_message_edit", message), form).status_code == 302
    author.post(url("key_message_submit", message))
    message.refresh_from_db()
    assert message.title == "Seeing children alone"
    assert message.status == KeyMessageStatus.IN_REVIEW
    # A second lead may not edit it.
    assert client(p, second_lead(p)).get(url("key_message_edit", message)).status_code == 403


def test_the_author_is_refused_the_review_page_with_a_clear_message(p: Personas) -> None:
    message = in_review(p)
    author = client(p, p.moderator)
    response = author.get(url("key_message_review", message))
    assert response["Location"] == url("key_message_detail", message)
    assert "You wrote this key message" in author.get(response["Location"]).content.decode()
    response = author.post(url("key_message_review", message), {"action": "publish"})
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.IN_REVIEW


def test_the_review_page_highlights_every_redaction_and_shows_the_result(p: Personas) -> None:
    message = in_review(p)
    # "Tendai" is in no name list the engine holds and has no cue ("met Tendai" would be one):
    # left for the reviewer.
    message.why_it_matters = "Pat Practitioner met us with Tendai at NW1 6XE."
    message.save()
    page = client(p, second_lead(p)).get(url("key_message_review", message)).content.decode()
    marks = re.findall(r'<mark class="app-redaction">(.*?)</mark>', page, re.DOTALL)
    assert any(
        "Pat Practitioner" in m and "[social worker]" in m and "staff name" in m for m in marks
    )
    assert any("NW1 6XE" in m and "[postcode]" in m for m in marks)
    assert "[social worker] met us with Tendai at [postcode]." in page


def test_a_reviewer_redacts_more_undoes_one_and_publishes_through_the_page(p: Personas) -> None:
    message = in_review(p)
    message.why_it_matters = "Tendai met us at NW1 6XE and helped."
    message.save()
    reviewer = client(p, second_lead(p))
    review = url("key_message_review", message)
    reviewer.post(review, {"action": "add", "text": "Tendai", "label": "person"})
    reviewer.post(review, {"action": "keep", "text": "NW1 6XE", "label": "identifier:postcode"})
    page = reviewer.get(review).content.decode()
    digest = re.search(r'name="seen" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    response = reviewer.post(review, {"action": "publish", "seen": digest})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.PUBLISHED
    assert message.published_text["why_it_matters"] == "[person] met us at NW1 6XE and helped."


def test_a_refused_publication_says_why_on_the_review_page(p: Personas) -> None:
    message = in_review(p)
    response = client(p, second_lead(p)).post(
        url("key_message_review", message), {"action": "publish", "seen": "stale"}
    )
    assert response.status_code == 200
    assert "has changed since you opened this page" in response.content.decode()
    message.refresh_from_db()
    assert message.status == KeyMessageStatus.IN_REVIEW


def test_the_home_page_lists_a_practitioners_unread_key_messages(p: Personas) -> None:
    message = published(p)
    home = client(p, p.practitioner).get(reverse("home")).content.decode()
    assert "Key messages to read" in home and url("key_message_detail", message) in home
    key_message_acknowledge(key_message=message, by=p.practitioner)
    home = client(p, p.practitioner).get(reverse("home")).content.decode()
    assert "Key messages to read" not in home


def test_everyone_but_the_administrator_the_dpo_and_partners_has_key_messages_in_the_navigation(
    p: Personas,
) -> None:
    for who, staff in p.all_roles().items():
        # A partner agency auditor's home is their own audits' list: follow it there.
        page = client(p, staff).get(reverse("home"), follow=True).content.decode()
        shown = who not in {"administrator", "data_protection", "partner"}
        assert ('href="/key-messages/"' in page) == shown, who


def test_a_member_of_staff_who_has_left_gets_nothing(p: Personas) -> None:
    left = make_staff("gone", "Gil Gone", Role.PRACTITIONER, p.north_a)
    left.is_active = False
    left.save()
    assert p.client_for(left).get(url("key_message_list")).status_code == 403
