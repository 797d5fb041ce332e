from __future__ import annotations

from django.urls import reverse

from auditloop.core.testing import Personas


def test_signed_in_staff_see_their_home_page(p: Personas) -> None:
    response = p.client_for(p.auditor).get(reverse("home"))
    assert response.status_code == 200
    assert "Alex Auditor" in response.content.decode()


def test_anonymous_visitor_is_sent_to_sign_in(anon) -> None:  # type: ignore[no-untyped-def]
    response = anon.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
