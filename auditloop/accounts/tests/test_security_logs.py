"""Refused requests and failed sign-ins are recorded with who and when, and shown to
administrators only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.core.models import FailedSignIn, RefusedRequest
from auditloop.testing import PASSWORD, Personas


def test_a_page_refused_to_a_role_is_recorded_as_403(p: Personas) -> None:
    url = reverse("accounts:staff_list")
    assert p.client_for(p.moderator).get(url, {"search": "00123"}).status_code == 403
    refused = RefusedRequest.objects.get()
    assert (refused.user, refused.status) == (p.moderator.user, 403)
    assert refused.path == url  # never the query string: a search may carry a child's ID


def test_pages_that_answer_are_not_recorded_and_nor_are_anonymous_visitors(
    p: Personas, anon: Client
) -> None:
    p.client_for(p.practitioner).get(reverse("home"))
    anon.get(reverse("audits:detail", args=[uuid.uuid4()]))
    p.client_for(p.practitioner).get("/no-such-page/")  # matches no route: not a record
    assert not RefusedRequest.objects.exists()


def test_a_wrong_password_is_recorded_with_the_login_it_names(p: Personas, anon: Client) -> None:
    anon.post(reverse("login"), {"username": "auditor", "password": "not it"})
    anon.post(reverse("login"), {"username": "nosuchperson", "password": "guess"})
    anon.post(reverse("login"), {"username": "", "password": ""})  # not an attempt
    rows = list(FailedSignIn.objects.order_by("id"))
    assert [(r.username, r.user) for r in rows] == [
        ("auditor", p.auditor.user),
        ("nosuchperson", None),
    ]
    assert rows[0].ip_address == "127.0.0.1"
    assert not rows[0].locked_out


def test_a_successful_sign_in_is_not_a_failure(p: Personas, anon: Client) -> None:
    anon.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert not FailedSignIn.objects.exists()


def test_a_locked_out_sign_in_is_recorded_as_locked_out(
    p: Personas, anon: Client, settings: Any
) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        anon.post(reverse("login"), {"username": "auditor", "password": "not it"})
    response = anon.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 429
    assert [r.locked_out for r in FailedSignIn.objects.order_by("id")] == [False, True, True]


@pytest.mark.parametrize("page", ["accounts:refused_requests", "accounts:failed_sign_ins"])
@pytest.mark.parametrize("role", ["practitioner", "moderator", "senior_leader"])
def test_only_administrators_see_the_security_logs(p: Personas, page: str, role: str) -> None:
    client = p.client_for(p.all_roles()[role])
    assert client.get(reverse(page)).status_code == 403


@pytest.mark.parametrize("page", ["accounts:refused_requests", "accounts:failed_sign_ins"])
def test_the_security_logs_are_paginated_in_a_fixed_number_of_queries(
    p: Personas, page: str
) -> None:
    admin = p.client_for(p.administrator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert admin.get(reverse(page)).status_code == 200
        return len(seen)

    def add(n: int) -> None:
        RefusedRequest.objects.bulk_create(
            RefusedRequest(user=p.auditor.user, method="GET", path="/x/", status=404)
            for _ in range(n)
        )
        FailedSignIn.objects.bulk_create(
            FailedSignIn(username="auditor", user=p.auditor.user) for _ in range(n)
        )

    add(2)
    few = queries()
    add(120)
    assert queries() == few
    html = admin.get(reverse(page), {"page": "3"}).content.decode()
    assert "govuk-pagination" in html
