"""Look-ups written once per connection: the SQL of a query the ORM builds, kept and sent again
with each request's own values.

For a look-up of one row by its key, building a query with the ORM and compiling it to SQL
costs many times what running it does: an audit's own page spent about 7 of its 11 ms of CPU
building and compiling its two look-ups (the read rule asked of one audit, then the audit with
its dozen related rows), and well under a millisecond running them (large council, SQLite).
`kept_statement` builds such a query once, with a stand-in value (a `Slot`) where each
request's own value goes, compiles it, and keeps its SQL with what the compiler worked out to
read its rows back. A request then sends that SQL with its own values in the slots and gets
what the ORM would have given: the same model instances, with the same related rows and
annotations (`instances`), or the same converted values (`rows`). Tests hold each use to the
ORM's answer.

What a statement is kept under (`key`) is the caller's to give, and must be everything its
query is written from besides the slots: the SQL of a read rule names the reader's id, role,
team and services, so a rule's statement is kept under them (see `audit_rule_facts`). The
database is asked on every request; only the writing of the question is kept. Statements are
kept per connection (each thread has its own), at most `KEPT` of them, the least recently
used dropped first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import ref as weak_ref

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Field, Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators

KEPT = 256
_KEPT_ON_CONNECTION = "auditloop_kept_statements"


@dataclass(frozen=True)
class Slot:
    """Where a request's own value goes: the model field whose database form the value takes
    (as the query's lookup gives it), and the stand-in the query is built with, a value
    chosen so that nothing else in the query can equal it."""

    field: Field[Any, Any]
    stand_in: Any

    def db_value(self, value: Any) -> Any:
        """`value` as the query's parameter (raising ValidationError for a value the field
        cannot hold, as a lookup does)."""
        return self.field.get_db_prep_value(value, connection, prepared=False)


class KeptStatement:
    """One query's SQL, with the places of its slots among its parameters, the converters of
    its columns and, for a query of model instances, how each row is made into them (as
    Django's `ModelIterable` does)."""

    def __init__(self, queryset: QuerySet[Any], slots: Sequence[Slot]) -> None:
        self.slots = tuple(slots)
        compiler = queryset.query.get_compiler(connection=connections[connection.alias])
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            # A rule that admits nothing (a reader of no audits): no statement to send.
            self.sql: str | None = None
            return
        self.sql = sql
        self.params = list(params)
        self.places: list[list[int]] = []
        for slot in self.slots:
            stand_in = slot.db_value(slot.stand_in)
            places = [
                index
                for index, param in enumerate(self.params)
                if type(param) is type(stand_in) and param == stand_in
            ]
            if not places:
                raise ValueError(f"The query does not hold the stand-in {slot.stand_in!r}.")
            self.places.append(places)
        self.compiler = compiler
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        self.model: type[Model] | None = None
        if queryset._iterable_class is ModelIterable:
            self._prepare_instances(queryset)

    def _prepare_instances(self, queryset: QuerySet[Any]) -> None:
        compiler = self.compiler
        klass_info = compiler.klass_info
        select = compiler.select
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.model_columns = slice(fields[0], fields[-1] + 1)
        self.attnames = [column[0].target.attname for column in select[self.model_columns]]
        self.fetch_mode = queryset._fetch_mode  # type: ignore[attr-defined]
        self.populators = get_related_populators(
            klass_info, select, connection.alias, self.fetch_mode
        )
        self.annotations = dict(compiler.annotation_col_map or {})

    def rows(self, values: Sequence[Any]) -> list[list[Any]]:
        """The query's rows with `values` in its slots, each value converted as the ORM
        converts it."""
        if self.sql is None:
            return []
        params = self.params.copy()
        for slot, places, value in zip(self.slots, self.places, values, strict=True):
            db_value = slot.db_value(value)
            for index in places:
                params[index] = db_value
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        if self.converters:
            return list(self.compiler.apply_converters(fetched, self.converters))
        return [list(row) for row in fetched]

    def instances(self, values: Sequence[Any]) -> list[Any]:
        """The query's model instances with `values` in its slots: each with its related rows
        (`select_related`) and annotations, as the ORM makes them."""
        if self.sql is None:
            return []
        model = self.model
        if model is None:
            raise TypeError("This statement reads values, not model instances.")
        made = []
        peers: list[Any] = []
        for row in self.rows(values):
            instance = model.from_db(
                connection.alias,
                self.attnames,
                row[self.model_columns],
                fetch_mode=self.fetch_mode,
            )
            if self.fetch_mode.track_peers:
                peers.append(weak_ref(instance))
                instance._state.peers = peers
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations.items():
                setattr(instance, name, row[position])
            made.append(instance)
        return made


def kept_statement(
    name: str,
    key: Hashable,
    build: Callable[[], QuerySet[Any]],
    slots: Sequence[Slot],
) -> KeptStatement:
    """The statement `name` kept under `key` on this thread's connection, built by `build()`
    (a query holding each slot's stand-in) the first time. `key` must hold everything the
    query is written from besides its slots (see the module's words)."""
    own = connections[connection.alias]
    kept: OrderedDict[tuple[str, Hashable], KeptStatement] | None = own.__dict__.get(
        _KEPT_ON_CONNECTION
    )
    if kept is None:
        kept = own.__dict__[_KEPT_ON_CONNECTION] = OrderedDict()
    statement = kept.get((name, key))
    if statement is None:
        statement = KeptStatement(build(), slots)
        kept[(name, key)] = statement
        if len(kept) > KEPT:
            kept.popitem(last=False)
    else:
        kept.move_to_end((name, key))
    return statement
