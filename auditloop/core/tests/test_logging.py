"""The console log: a refused request is one quiet line; a server error keeps its traceback."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.testing import PASSWORD, Personas


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the console handlers print for a request, as configured in settings.LOGGING."""
    printed = io.StringIO()
    loggers = [logging.getLogger(name) for name in ("django.request", "django", "axes")]
    handlers = [
        handler
        for logger in [*loggers, logging.getLogger()]
        for handler in logger.handlers
        if type(handler) is logging.StreamHandler
    ]
    assert handlers, "no console handler is configured"
    streams = [handler.setStream(printed) for handler in handlers]
    yield printed
    for handler, stream in zip(handlers, streams, strict=True):
        handler.setStream(stream)


def lines(console: io.StringIO) -> list[str]:
    return console.getvalue().splitlines()


def test_a_refused_page_is_one_line_without_a_traceback(p: Personas, console: io.StringIO) -> None:
    response = p.client_for(p.practitioner).get(reverse("accounts:admin_home"))
    assert response.status_code == 403
    assert lines(console) == ["Forbidden (Permission denied): /administration/"]


def test_a_page_not_found_is_one_line(p: Personas, console: io.StringIO) -> None:
    url = reverse("audits:detail", kwargs={"public_id": uuid.uuid4()})
    assert p.client_for(p.auditor).get(url).status_code == 404
    assert lines(console) == [f"Not Found: {url}"]


def test_a_case_file_refused_logs_neither_a_traceback_nor_the_childs_id(
    p: Personas, console: io.StringIO
) -> None:
    url = reverse("cases:detail", kwargs={"public_id": p.case.public_id})
    response = p.client_for(p.board_member).get(url)
    assert response.status_code in {403, 404}
    assert len(lines(console)) == 1
    assert "Traceback" not in console.getvalue()
    assert p.case.la_child_id not in console.getvalue()


def test_a_request_for_another_host_is_one_line(db: None, console: io.StringIO) -> None:
    assert Client(HTTP_HOST="evil.example").get("/").status_code == 400
    assert len(lines(console)) == 1
    assert "Invalid HTTP_HOST header" in console.getvalue()


def test_a_sign_in_lockout_is_one_line_naming_no_one(
    p: Personas, console: io.StringIO, settings: Any
) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    anon = Client()
    for _ in range(2):
        anon.post(reverse("login"), {"username": "auditor", "password": "not the password"})
    console.truncate(0)
    console.seek(0)
    response = anon.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 429
    assert lines(console) == ["Too Many Requests: /sign-in/"]


def test_with_debug_pages_on_a_refusal_is_still_printed_once(
    p: Personas, console: io.StringIO, settings: Any
) -> None:
    settings.DEBUG = True
    p.client_for(p.practitioner).get(reverse("accounts:admin_home"))
    assert lines(console) == ["Forbidden (Permission denied): /administration/"]


def test_a_server_error_still_prints_its_traceback(
    p: Personas, console: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the home page's selector broke")

    monkeypatch.setattr("auditloop.home.views.home_work_for", broken)
    client = Client(raise_request_exception=False)
    assert p.auditor.user is not None
    client.force_login(p.auditor.user)
    assert client.get(reverse("home")).status_code == 500
    printed = console.getvalue()
    assert printed.startswith("Internal Server Error: /\nTraceback (most recent call last):")
    assert "RuntimeError: the home page's selector broke" in printed
