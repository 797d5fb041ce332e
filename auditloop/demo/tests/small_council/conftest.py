"""The small demo council (seed 1, built for TODAY), built once per test worker for every test
of this package.

It takes about ten seconds, and a dozen modules read it: built once per module, it cost each
database two minutes of the suite. pytest runs a package's tests one after another on each
worker (xdist hands a worker its tests in the order they were collected) and ends a
package-scoped fixture after the package's last test, so no test outside the package ever runs
inside the council's transaction. Each test runs in a savepoint within it, rolled back after the
test; a module-scoped fixture that writes (a page's request logs its reads) does so in a
savepoint of its own, rolled back at the module's end.

Every test here uses the council (the fixture is autouse): a test that needs an empty database
belongs in the package above."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from pytest_django import DjangoDbBlocker

from auditloop.core.planner import planner_statistics_refresh
from auditloop.demo.builder import demo_council_build
from auditloop.demo.tests.small_council import TODAY

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here reads the database: marked so, even where its module forgot, or
    pytest-django, which sets up the test database only for marked tests, would leave the
    council to be built in the developer's own database."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="package", autouse=True)
def small(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The full small council, inside a transaction rolled back after the package's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_council_build(size="small", seed=1, today=TODAY)
        # Fresh tables have no statistics until autovacuum gets to them; without them the
        # planner can pick a nested loop that takes a minute a page on this council.
        planner_statistics_refresh()
        yield
        transaction.set_rollback(True)
