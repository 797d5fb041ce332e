"""The layout's addresses and static files, worked out once per process
(`auditloop.core.addresses`), are what `reverse` and `{% static %}` answer, and follow the
address the site is served under and the static files' address."""

from __future__ import annotations

import pytest
from django.template import engines
from django.templatetags.static import static
from django.test import override_settings
from django.urls import reverse

from auditloop.core.addresses import fixed_static, fixed_url

LAYOUT_FILES = (
    "auditloop/favicon.ico",
    "auditloop/app.css",
    "auditloop/vendor/govuk-frontend.min.js",
    "auditloop/vendor/htmx.min.js",
)


def test_a_fixed_url_is_the_reversed_one() -> None:
    assert fixed_url("home") == reverse("home")


@pytest.mark.parametrize("path", LAYOUT_FILES)
def test_a_fixed_static_file_address_is_the_static_tags(path: str) -> None:
    assert fixed_static(path) == static(path)


def test_a_fixed_static_file_address_follows_the_static_address() -> None:
    before = fixed_static("auditloop/app.css")
    with override_settings(STATIC_URL="/files/"):
        moved = fixed_static("auditloop/app.css")
        assert moved == static("auditloop/app.css")
        assert moved.startswith("/files/")
    assert fixed_static("auditloop/app.css") == before


def test_the_layout_links_its_files_by_the_fixed_addresses() -> None:
    html = (
        engines["django"]
        .from_string("{% load addresses %}{% fixed_static 'auditloop/app.css' %}")
        .render({})
    )
    assert html == static("auditloop/app.css")
