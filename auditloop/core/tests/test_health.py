"""/health/: what a load balancer and monitoring read, without signing in and about nobody."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.core import views_public
from auditloop.core.models import AccessLog, WorkerHeartbeat

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings: Any) -> None:
    settings.TASKS = DATABASE_TASKS


def _beat(worker_id: str, seconds_ago: float) -> None:
    seen = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id=worker_id, host="web1", pid=1, started=seen, seen=seen)


def test_health_is_ok_with_the_database_and_a_worker_seen_lately(
    anon: Client, database_tasks: None
) -> None:
    _beat("a", seconds_ago=5)
    _beat("b", seconds_ago=2)
    response = anon.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["workers"]["alive"] == 2
    assert body["workers"]["last_heartbeat_seconds_ago"] >= 2  # the latest of the two


def test_health_is_degraded_but_200_when_no_worker_has_beaten_lately(
    anon: Client, database_tasks: None, settings: Any
) -> None:
    settings.AUDITLOOP_WORKER_STALE_SECONDS = 60
    _beat("gone", seconds_ago=120)
    response = anon.get(reverse("health"))
    # Every web server would say the same: taking them all out of the pool would help nobody.
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["workers"]["alive"] == 0
    assert body["workers"]["last_heartbeat_seconds_ago"] >= 120


def test_health_says_when_no_worker_has_ever_run(anon: Client, database_tasks: None) -> None:
    body = anon.get(reverse("health")).json()
    assert body["status"] == "degraded"
    assert body["workers"] == {
        "alive": 0,
        "last_heartbeat_seconds_ago": None,
        "stale_after_seconds": 60.0,
    }


def test_health_needs_no_worker_when_work_runs_in_the_request(anon: Client, settings: Any) -> None:
    settings.TASKS = IMMEDIATE_TASKS
    body = anon.get(reverse("health")).json()
    assert body == {"status": "ok", "database": "ok", "workers": {"needed": False}}


def test_health_answers_503_when_the_database_cannot_be_reached(
    anon: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Unreachable:
        def cursor(self) -> Any:
            raise DatabaseError("connection refused")

    monkeypatch.setattr(views_public, "connection", Unreachable())
    response = anon.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_health_is_never_cached_sets_no_cookie_and_logs_no_read(
    anon: Client, database_tasks: None
) -> None:
    response = anon.get(reverse("health"))
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies
    assert not AccessLog.objects.exists()


def test_health_tells_a_signed_in_person_no_more_than_anyone(p: Any, database_tasks: None) -> None:
    _beat("a", seconds_ago=1)
    body = p.client_for(p.administrator).get(reverse("health")).json()
    assert set(body) == {"status", "database", "workers"}
    assert set(body["workers"]) == {"alive", "last_heartbeat_seconds_ago", "stale_after_seconds"}


def test_health_answers_plain_http_where_every_page_is_redirected_to_https(
    settings: Any, database_tasks: None
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("login")).status_code == 301
