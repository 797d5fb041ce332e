"""The favicon: named in every page's head, and at /favicon.ico for browsers that just ask."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from auditloop.core.tests.url_walk import all_routes
from auditloop.testing import Personas


def body(response: object) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content  # type: ignore[attr-defined, no-any-return]


def test_every_page_names_the_icon_signed_in_or_not(p: Personas, anon: Client) -> None:
    for page in (
        anon.get(reverse("login")),
        p.client_for(p.auditor).get(reverse("home")),
    ):
        html = page.content.decode()
        assert '<link rel="icon" sizes="48x48" href="/static/auditloop/favicon.ico">' in html
        assert (
            '<link rel="icon" sizes="any" href="/static/auditloop/favicon.svg" '
            'type="image/svg+xml">' in html
        )


def test_favicon_ico_sends_anyone_to_the_icon_file(db: None, anon: Client) -> None:
    response = anon.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/auditloop/favicon.ico"
    icon = anon.get(response["Location"])
    assert icon.status_code == 200
    # An icon file (reserved 0, type 1) holding the 16, 32 and 48 pixel images.
    assert body(icon)[:6] == b"\x00\x00\x01\x00\x03\x00"


def test_the_svg_icon_is_served(db: None, anon: Client) -> None:
    icon = anon.get("/static/auditloop/favicon.svg")
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in body(icon)


def test_the_favicon_route_is_public_in_the_url_walk() -> None:
    routes = {route.name: route for route in all_routes()}
    assert routes["favicon"].is_public
