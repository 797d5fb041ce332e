"""The data protection page links each role to the access review pages it may use."""

from __future__ import annotations

import pytest
from django.urls import reverse

from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _links(p: Personas, who: str) -> set[str]:
    html = p.client_for(getattr(p, who)).get(reverse("privacy:index")).content.decode()
    names = ["access_review", "unusual_reading", "reading_thresholds"]
    return {name for name in names if f'href="{reverse(f"privacy:{name}")}"' in html}


def test_each_role_is_linked_to_the_access_review_pages_it_may_use(p: Personas) -> None:
    assert _links(p, "moderator") == {"access_review", "unusual_reading"}
    assert _links(p, "data_protection") == {
        "access_review",
        "unusual_reading",
        "reading_thresholds",
    }
    assert _links(p, "administrator") == {"reading_thresholds"}
