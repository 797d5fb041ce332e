"""The demo council's cycle review: the committee's PDF of the latest ended cycle, issued by the
demo audit lead, which the demo board member finds and downloads."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import User
from auditloop.demo.tests.small_council import TODAY
from auditloop.reports.models import CycleReview
from auditloop.sampling.models import Cycle

pytestmark = pytest.mark.django_db


def test_the_demo_lead_has_issued_the_committee_pdf_of_the_latest_ended_cycle(
    small: None,
) -> None:
    review = CycleReview.objects.select_related("requested_by__user").get()
    latest_ended = Cycle.objects.filter(ends_on__lt=TODAY).order_by("-ends_on").first()
    assert (review.cycle, review.audience, review.format) == (latest_ended, "committee", "pdf")
    assert review.status == "issued"
    assert review.requested_by.user is not None
    assert review.requested_by.user.username == "moderator"
    content = bytes(review.content or b"")
    assert content.startswith(b"%PDF")
    assert review.sha256 == hashlib.sha256(content).hexdigest()
    assert review.issued_at is not None
    assert review.issued_at.date() < TODAY


def test_the_demo_board_member_finds_the_review_and_downloads_it(small: None) -> None:
    review = CycleReview.objects.get()
    client = Client()
    client.force_login(User.objects.get(username="board"))
    listed = client.get("/cycle-reviews/").content.decode()
    assert reverse("reports:cycle-review", args=[review.public_id]) in listed
    assert review.requested_by.name not in listed
    download = client.get(reverse("reports:cycle-review-download", args=[review.public_id]))
    assert download.content == bytes(review.content or b"")
