"""The session store reads a session with one written-out statement and keeps Django's rules:
an expired or unknown session reads as empty and loses its key; one ended by deleting it from
the store (signing out everywhere) is gone on the next read."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from auditloop.core.session_store import SessionStore

pytestmark = pytest.mark.django_db


def _saved(**data: object) -> str:
    store = SessionStore()
    store.update(data)
    store.create()
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_the_product_keeps_its_sessions_in_this_store() -> None:
    assert settings.SESSION_ENGINE == "auditloop.core.session_store"


def test_a_live_session_is_read_back_in_one_query() -> None:
    key = _saved(colour="green")
    store = SessionStore(key)
    with CaptureQueriesContext(connection) as captured:
        assert store["colour"] == "green"
    assert len(captured.captured_queries) == 1
    assert store.session_key == key


def test_an_expired_session_reads_as_empty_and_loses_its_key() -> None:
    key = _saved(colour="green")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    store = SessionStore(key)
    assert store.get("colour") is None
    assert store.session_key is None


def test_a_session_deleted_from_the_store_reads_as_empty() -> None:
    key = _saved(colour="green")
    SessionStore(key).delete()
    store = SessionStore(key)
    assert store.get("colour") is None
    assert store.session_key is None


def test_an_unknown_key_reads_as_empty() -> None:
    store = SessionStore("nosuchsessionkeyatall0123456789")
    assert store.get("colour") is None
    assert store.session_key is None
