"""On SQLite, a page keeps working while another connection (an import in the worker) holds
the database's write lock: pages read without writing, and the database is in write-ahead
logging mode, so a read never waits for the writer."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.urls import reverse

from auditloop.testing import Personas

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's locking only: PostgreSQL has row locks"
)


@pytest.fixture
def file_database(transactional_db: None, tmp_path: Path, personas: Personas) -> Iterator[Path]:
    """The test database copied to a file and used, with the project's SQLite options, as
    the default database until the test ends (the in-memory test database is only set
    aside, and given back afterwards)."""
    path = tmp_path / "auditloop.sqlite3"
    # A transactional test: the personas are committed, and nothing holds the copy up.
    memory = connection.connection
    with sqlite3.connect(path) as copy:
        memory.backup(copy)
    copy.close()
    settings_dict = {**connection.settings_dict, "NAME": str(path)}
    settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], "timeout": 0.5}
    original = connections["default"]
    on_file = DatabaseWrapper(settings_dict, alias="default")
    connections["default"] = on_file
    try:
        yield path
    finally:
        on_file.close()
        connections["default"] = original


def test_a_page_reads_while_another_connection_holds_the_write_lock(
    personas: Personas, file_database: Path
) -> None:
    client = personas.client_for(personas.auditor)
    assert client.get(reverse("home")).status_code == 200
    journal = connections["default"].cursor().execute("PRAGMA journal_mode").fetchone()[0]
    assert journal == "wal"

    writer = sqlite3.connect(file_database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE django_session SET expire_date = expire_date")
    try:
        response = client.get(reverse("audits:list"))
        assert response.status_code == 200
        assert client.get(reverse("home")).status_code == 200
        # The writer really held the lock throughout: another writer is refused.
        other = sqlite3.connect(file_database, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
