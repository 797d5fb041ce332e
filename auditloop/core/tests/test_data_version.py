"""The data version: every committed write to a table figures may be drawn from raises it, by
whatever path it was sent (save, update(), bulk_create, raw SQL), once per transaction; a
rolled-back write and a write to a table no figure reads (a session) leave it alone. These run
with real commits (`transaction=True`): a test's own transaction never commits."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import DatabaseError, connection, transaction
from django.test import Client

from auditloop.core import dataversion
from auditloop.core.dataversion import (
    data_version,
    figures_cached,
    has_uncommitted_changes,
    tables_written,
)
from auditloop.core.models import Event

committed = pytest.mark.django_db(transaction=True)


def event(verb: str = "thing.done") -> Event:
    return Event.objects.create(verb=verb, target_type="thing", target_id="1")


@committed
def test_a_save_raises_the_version_once_it_is_committed() -> None:
    before = data_version()
    with transaction.atomic():
        event()
        # Not yet committed: this connection reads what no other can, so it skips the cache.
        assert has_uncommitted_changes(connection)
    assert data_version() == before + 1
    assert not has_uncommitted_changes(connection)


@committed
def test_an_update_through_a_queryset_raises_the_version() -> None:
    event()
    before = data_version()
    Event.objects.filter(verb="thing.done").update(summary="changed")
    assert data_version() == before + 1


@committed
def test_bulk_create_raises_the_version() -> None:
    before = data_version()
    Event.objects.bulk_create(
        [Event(verb="thing.done", target_type="thing", target_id=str(n)) for n in range(3)]
    )
    assert data_version() == before + 1


@committed
def test_raw_sql_raises_the_version() -> None:
    event()
    before = data_version()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_event WHERE verb = %s", ["thing.done"])
    assert data_version() == before + 1


@committed
def test_many_writes_in_one_transaction_raise_the_version_once() -> None:
    before = data_version()
    with transaction.atomic():
        for _ in range(3):
            event()
        Event.objects.update(summary="all")
    assert data_version() == before + 1


@committed
def test_a_write_in_a_transaction_that_rolls_back_raises_nothing() -> None:
    before = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        event()
        raise RuntimeError("refused")
    assert data_version() == before
    assert not Event.objects.exists()


@committed
def test_a_write_in_a_savepoint_rolled_back_raises_nothing_but_a_later_write_does() -> None:
    before = data_version()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            event()
            raise RuntimeError("refused")
        assert not has_uncommitted_changes(connection)
    assert data_version() == before
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            event()
            raise RuntimeError("refused")
        event("kept")
    assert data_version() == before + 1


@committed
def test_a_write_to_a_session_raises_nothing() -> None:
    before = data_version()
    session = SessionStore()
    session["seen"] = 1
    session.save()
    assert data_version() == before


@committed
def test_cached_figures_are_computed_again_after_a_committed_change() -> None:
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return Event.objects.count()

    assert figures_cached("events", reader_id=1, params=(), compute=compute) == 0
    assert figures_cached("events", reader_id=1, params=(), compute=compute) == 0
    assert len(computed) == 1
    event()
    assert figures_cached("events", reader_id=1, params=(), compute=compute) == 1
    assert len(computed) == 2


@committed
def test_two_readers_never_share_cached_figures() -> None:
    assert figures_cached("events", reader_id=1, params=(), compute=lambda: "first's") == "first's"
    assert figures_cached("events", reader_id=2, params=(), compute=lambda: "other's") == "other's"


@committed
def test_a_connection_with_changes_of_its_own_not_yet_committed_skips_the_cache() -> None:
    assert figures_cached("events", reader_id=1, params=(), compute=Event.objects.count) == 0
    with transaction.atomic():
        event()
        assert figures_cached("events", reader_id=1, params=(), compute=Event.objects.count) == 1


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT "id" FROM "audits_audit" FOR UPDATE OF "audits_audit"', set()),
        ('UPDATE "audits_audit" SET "status" = %s', {"audits_audit"}),
        ("update audits_answer set note = ''", {"audits_answer"}),
        ('  -- a fix\n DELETE FROM "public"."audits_action"', {"audits_action"}),
        ('INSERT OR IGNORE INTO "django_session" VALUES (%s)', {"django_session"}),
        (
            'INSERT INTO "core_dataversion" (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET n = 1',
            {"core_dataversion"},
        ),
        ("WITH gone AS (DELETE FROM cases_childcase RETURNING id) SELECT 1", {"cases_childcase"}),
        ("WITH t AS (SELECT 1) SELECT * FROM t", set()),
        ('SAVEPOINT "s1"', set()),
    ],
)
def test_the_tables_a_statement_writes_are_read_from_its_text(sql: str, tables: set[str]) -> None:
    assert tables_written(sql) == frozenset(tables)


@pytest.mark.parametrize(
    "sql", ['CREATE TABLE "t" (id int)', 'TRUNCATE "audits_audit"', "EXPLAIN ANALYZE UPDATE t"]
)
def test_a_statement_that_writes_tables_it_does_not_name_counts_as_a_change(sql: str) -> None:
    assert tables_written(sql) is None


@committed
def test_a_raise_refused_after_a_commit_is_logged_and_this_process_forgets_its_figures(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert figures_cached("events", reader_id=1, params=(), compute=lambda: "before") == "before"

    def refused(connection: object) -> None:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(dataversion, "_raise", refused)
    event()
    assert "not raised after a committed change" in caplog.text
    assert figures_cached("events", reader_id=1, params=(), compute=lambda: "after") == "after"


@committed
def test_signing_in_raises_nothing() -> None:
    # A login's last sign-in time, its session and its signed-in session feed no figure: a
    # raise on each of a council's sign-ins would leave little in the cache.
    user = get_user_model().objects.create_user(username="someone", password="x" * 20)
    before = data_version()
    Client().force_login(user)
    assert data_version() == before
