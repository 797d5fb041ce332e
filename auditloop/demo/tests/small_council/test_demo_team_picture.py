"""The demo's team manager sees a team picture with real figures: the demo's teams have enough
audits a cycle for every table to show (small groups withheld are shown by the team picture's
own tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import StaffMember

pytestmark = pytest.mark.django_db
SHOWN = re.compile(r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>')


@pytest.fixture(scope="module")
def manager_page(small: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        manager = StaffMember.objects.select_related("user", "team").get(user__username="manager")
        client = Client()
        assert manager.user is not None and manager.team is not None
        client.force_login(manager.user)
        response = client.get(reverse("learning:team_picture_choose"), follow=True)
        assert response.status_code == 200
        yield response.content.decode()
        transaction.set_rollback(True)


def test_the_demo_team_manager_sees_real_figures_of_their_team(manager_page: str) -> None:
    assert "audits of the team count in this cycle." in manager_page
    assert any(int(n) >= 5 for n in SHOWN.findall(manager_page))
    assert "Grades by domain" in manager_page
    assert "Compliance by check" in manager_page
