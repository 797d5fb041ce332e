"""The demo council's revisits give every revisit page something to show: past cycles mostly
better, some the same and one or two worse, with evidence in an auditor's words; revisits
overdue and due in the coming weeks; one cycle with enough pairs for the signed-rank test and
the latest with too few; and a revisit the demo auditor can answer beside their earlier one."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Answer, Audit, AuditStatus, AuditType, ComplianceAnswer
from auditloop.core.models import Notification
from auditloop.demo.history.revisits import NOW_MET
from auditloop.demo.tests.small_council import TODAY
from auditloop.sampling.models import Cycle

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    user = StaffMember.objects.get(user__username=username).user
    assert user is not None
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _cycles() -> list[Cycle]:
    return list(Cycle.objects.order_by("starts_on"))


def test_the_past_cycles_revisits_are_mostly_better_some_the_same_one_or_two_worse(
    small: None,
) -> None:
    text = _page(
        _client("moderator"), f"{reverse('assurance:revisits')}?cycle={_cycles()[0].public_id}"
    )
    overall = text.split("Overall grade: ")[1].split("</tr>")[1]
    better, same, worse = (int(n) for n in re.findall(r">(\d+) \(\d+%\)<", overall))
    assert better > (better + same + worse) / 2
    assert same >= 1
    assert worse in {1, 2}


def test_one_cycle_has_enough_pairs_for_the_test_and_the_latest_too_few(small: None) -> None:
    earlier, latest = _cycles()
    client = _client("moderator")
    page = reverse("assurance:revisits")
    tested = _page(client, f"{page}?cycle={earlier.public_id}")
    assert "The paired Wilcoxon signed-rank test on the" in tested
    assert "matched-pairs rank-biserial correlation, is r = " in tested
    descriptive = _page(client, f"{page}?cycle={latest.public_id}")
    assert "Descriptive figures only." in descriptive
    assert "the signed-rank test needs at least 6" in descriptive


def test_revisits_are_overdue_due_in_the_coming_weeks_and_done(small: None) -> None:
    revisits = Audit.objects.filter(audit_type=AuditType.REVISIT)
    waiting = revisits.filter(status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
    assert waiting.filter(due_date__lt=TODAY).count() in {1, 2}
    assert waiting.filter(
        due_date__gte=TODAY, due_date__lte=TODAY + datetime.timedelta(weeks=7)
    ).exists()
    assert revisits.filter(status__in=[AuditStatus.SUBMITTED, AuditStatus.COMPLETED]).count() > 10
    assert not waiting.filter(answers__isnull=False).exists()


def test_a_no_met_by_the_revisit_says_what_is_now_on_the_file(small: None) -> None:
    met = Answer.objects.filter(
        audit__audit_type=AuditType.REVISIT,
        compliance=ComplianceAnswer.YES,
        evidence__in=list(NOW_MET.values()),
    )
    assert met.exists()
    still = Answer.objects.filter(
        audit__audit_type=AuditType.REVISIT,
        compliance=ComplianceAnswer.NO,
        evidence__startswith="Still not done: ",
    )
    assert still.exists()
    assert not Answer.objects.filter(compliance=ComplianceAnswer.NO, evidence="").exists()


def test_the_demo_auditor_answers_a_revisit_beside_their_own_earlier_answers(small: None) -> None:
    auditor = StaffMember.objects.get(user__username="auditor")
    revisit = Audit.objects.get(
        audit_type=AuditType.REVISIT,
        auditor=auditor,
        status=AuditStatus.PLANNED,
        revisit_of__auditor=auditor,
    )
    url = reverse("audits:edit", args=[revisit.public_id])
    text = _page(_client("auditor"), url)
    assert "A1 at the earlier audit:" in text
    assert "Overall grade at the earlier audit:" in text
    told = Notification.objects.get(url=reverse("audits:detail", args=[revisit.public_id]))
    assert told.recipient == auditor.user
    assert told.message.startswith("A revisit for you to do: the dip sample audit of a case in ")
