"""Who has read a child's records: an audit lead (their services) or the DPO (any child)
types the child's ID into a POST form and reads every read of the child's case file, audits
and the event log's entries about them; the ID never goes into a URL or a title."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.events import event_record
from auditloop.core.models import AccessLog, Event
from auditloop.privacy.access.accessreview import ACCESS_REVIEW_MINUTES
from auditloop.privacy.models import AccessReview
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

SEARCH = "privacy:access_review"
TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def login(p: Personas, staff: StaffMember) -> Client:
    return p.client_for(staff)


def review(client: Client, la_child_id: str) -> str:
    """Search for the child and follow to the review; the review's URL."""
    response = client.post(reverse(SEARCH), {"la_child_id": la_child_id})
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def read_at(
    staff: StaffMember,
    target_type: str,
    target_id: str,
    minutes_ago: int,
    purpose: Purpose = Purpose.VIEW,
) -> None:
    assert staff.user is not None
    AccessLog.objects.create(
        user=staff.user,
        target_type=target_type,
        target_id=target_id,
        purpose=purpose,
        at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_a_lead_sees_every_read_of_a_childs_case_file_audits_and_events_newest_first(
    p: Personas,
) -> None:
    audit = make_audit(p)
    event = event_record(actor=p.auditor.user, verb="audit.started", target=audit)
    read_at(p.practitioner, "cases.childcase", str(p.case.public_id), minutes_ago=30)
    read_at(p.auditor, "audits.audit", str(audit.public_id), minutes_ago=20)
    read_at(p.administrator, "core.event", str(event.pk), 10, Purpose.EVENT_LOG)
    client = login(p, p.moderator)

    page = client.get(review(client, "00123")).content.decode()

    practitioner, auditor, administrator = (
        page.index("Pat Practitioner"),
        page.index("Alex Auditor"),
        page.index("Ada Admin"),
    )
    assert administrator < auditor < practitioner  # newest first
    assert "Auditor or QA officer" in page and "North B" in page  # role and team
    assert f"Dip sample audit {audit.reference}" in page
    assert "Event log entry about the case or an audit" in page
    assert "Read in the event log" in page


def test_reads_of_other_children_are_not_shown(p: Personas) -> None:
    read_at(p.outsider, "cases.childcase", str(p.outsider_case.public_id), minutes_ago=5)
    client = login(p, p.data_protection)

    page = client.get(review(client, "00123")).content.decode()

    assert "Olly Outsider" not in page
    assert "Nobody has read this child's records" in page


def test_the_childs_id_is_in_no_url_and_no_title(p: Personas) -> None:
    for minutes in range(60):
        read_at(p.practitioner, "cases.childcase", str(p.case.public_id), minutes_ago=minutes)
    client = login(p, p.moderator)

    url = review(client, "00123")
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()

    assert "00123" not in url
    assert "00123" in first  # said on the page, for the reviewer
    for html in (first, second):
        title = TITLE.search(html)
        assert title is not None and "00123" not in title.group(1)
        assert all("00123" not in href for href in re.findall(r'href="([^"]*)"', html))
    assert 'href="?page=2"' in first
    # 61 reads by the second page: the practitioner's 60 and, newest, the lead's first look.
    assert second.count("Pat Practitioner") == 11


def test_a_lead_is_told_the_same_for_a_child_outside_their_services_as_for_an_unknown_one(
    p: Personas,
) -> None:
    client = login(p, p.moderator)

    elsewhere = client.post(reverse(SEARCH), {"la_child_id": "S-0999"})
    unknown = client.post(reverse(SEARCH), {"la_child_id": "NO-SUCH-CHILD"})

    assert elsewhere.status_code == unknown.status_code == 200
    message = "No child whose records you can review has that LA child ID"
    assert message in elsewhere.content.decode() and message in unknown.content.decode()
    assert not AccessReview.objects.exists()
    assert not Event.objects.filter(verb="access_review.opened").exists()


def test_the_dpo_reviews_a_child_in_any_service(p: Personas) -> None:
    read_at(p.outsider, "cases.childcase", str(p.outsider_case.public_id), minutes_ago=5)
    client = login(p, p.data_protection)

    page = client.get(review(client, " s-0999 ")).content.decode()

    assert "Olly Outsider" in page


def test_an_empty_id_gets_a_clear_message(p: Personas) -> None:
    response = login(p, p.moderator).post(reverse(SEARCH), {"la_child_id": "  "})

    assert "Enter the child&#x27;s LA child ID." in response.content.decode()
    assert "<title>Error: " in response.content.decode()


def test_reviewing_a_child_is_one_event_and_a_read_of_their_case_file(p: Personas) -> None:
    client = login(p, p.moderator)

    url = review(client, "00123")
    client.get(url)
    client.get(url + "?page=1")

    events = Event.objects.filter(verb="access_review.opened")
    assert [(e.actor, e.target_type, e.target_id) for e in events] == [
        (p.moderator.user, "cases.childcase", str(p.case.public_id))
    ]
    assert "00123" not in events.get().summary
    assert AccessLog.objects.filter(
        user=p.moderator.user,
        target_type="cases.childcase",
        target_id=str(p.case.public_id),
        purpose=Purpose.ACCESS_REVIEW,
    ).exists()


def test_someone_elses_search_is_not_found(p: Personas) -> None:
    url = review(login(p, p.data_protection), "00123")

    assert login(p, p.moderator).get(url).status_code == 404


def test_a_search_for_a_child_no_longer_in_the_leads_services_is_not_found(p: Personas) -> None:
    client = login(p, p.moderator)
    url = review(client, "00123")
    p.case.allocated_team = p.south_a
    p.case.save()

    assert client.get(url).status_code == 404


def test_an_expired_search_asks_for_the_id_again(p: Personas) -> None:
    client = login(p, p.moderator)
    url = review(client, "00123")
    AccessReview.objects.update(
        created_at=timezone.now() - datetime.timedelta(minutes=ACCESS_REVIEW_MINUTES + 1)
    )

    response = client.get(url, follow=True)

    assert response.redirect_chain[-1][0] == reverse(SEARCH)
    assert "Enter the LA child ID again" in response.content.decode()


def test_a_lead_reviews_a_child_audited_in_their_services_though_allocated_elsewhere(
    p: Personas,
) -> None:
    Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        auditor=p.auditor,
        team=p.north_a,
    )

    response = login(p, p.moderator).post(reverse(SEARCH), {"la_child_id": "S-0999"})

    assert response.status_code == 302


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "auditor", "senior_leader"])
def test_other_roles_cannot_review_reads(p: Personas, who: str) -> None:
    client = login(p, getattr(p, who))

    assert client.post(reverse(SEARCH), {"la_child_id": "00123"}).status_code == 403


def test_the_reads_shown_are_themselves_logged_only_as_the_reviewers_read(p: Personas) -> None:
    audit = make_audit(p)
    access_shown(user=p.auditor.user, targets=[audit], purpose=Purpose.VIEW)
    client = login(p, p.moderator)

    client.get(review(client, "00123"))

    assert set(
        AccessLog.objects.filter(user=p.moderator.user).values_list("target_type", "purpose")
    ) == {("cases.childcase", "access review")}
