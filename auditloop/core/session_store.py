"""The session store: Django's database store (`django.contrib.sessions.backends.db`), whose
every request's read of the session is one statement written out once instead of a query the
ORM builds afresh on each page (building it cost more than running it, on every signed-in
page). Everything else is Django's: the table, the expiry, saving, deleting a session by key
(signing out everywhere), clearing expired sessions.

    SESSION_ENGINE = "auditloop.core.session_store"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data if it exists and has not expired (Django's rule: its expiry
        date is still ahead), else an empty session whose key is dropped, as Django's does."""
        alias = router.db_for_read(Session)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(
                _unexpired_session_sql(connection.vendor, connection.ops.quote_name),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(row[0])
        return data


# The statement, per database vendor.
_UNEXPIRED_SESSION_SQL: dict[str, str] = {}


def _unexpired_session_sql(vendor: str, quote: Callable[[str], str]) -> str:
    sql = _UNEXPIRED_SESSION_SQL.get(vendor)
    if sql is None:
        sql = _UNEXPIRED_SESSION_SQL[vendor] = _written_out(quote)
    return sql


def _written_out(quote: Callable[[str], str]) -> str:
    meta = Session._meta
    table = quote(meta.db_table)
    key = quote(str(meta.get_field("session_key").column))
    data = quote(str(meta.get_field("session_data").column))
    expires = quote(str(meta.get_field("expire_date").column))
    # Only the model's own table and column names are written into it: the values are
    # parameters.
    return f"SELECT {data} FROM {table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
