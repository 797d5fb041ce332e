"""Fixtures for the core tests that start other processes (worker, serve)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper


@pytest.fixture
def shared_database_url(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL other processes can open, naming the database this test uses: on SQLite
    the in-memory test database copied to a file (used by this process too until the test
    ends); on PostgreSQL the test database itself."""
    if connection.vendor != "sqlite":
        db = connection.settings_dict
        yield (
            f"postgres://{quote(db['USER'])}:{quote(str(db['PASSWORD']))}@"
            f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        return
    path = tmp_path / "auditloop.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    copy.close()
    original = connections["default"]
    on_file = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = on_file
    try:
        yield f"sqlite:///{path}"
    finally:
        on_file.close()
        connections["default"] = original
