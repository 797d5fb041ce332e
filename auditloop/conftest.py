from __future__ import annotations

import copy
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker
from pytest_django.fixtures import validate_django_db

from auditloop.core.dataversion import CACHE_ALIAS
from auditloop.testing import TEST_SETTINGS, Personas, build_personas

# Playwright's sync API runs an event loop; Django's async-safety check would refuse ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Every run: a test is about what the code does, never how fast it does it on a shared
# machine. Hypothesis's default 200 ms deadline per example is a timed test, and it failed the
# sample-draw properties on a loaded machine; so is the "too slow to generate" health check.
hypothesis_settings.register_profile(
    "auditloop", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("auditloop")

# `make mutation` runs each test once per mutant on a busy machine: the same examples every
# time, so a mutant's fate does not depend on luck, and no complaint that drawing them is slow.
hypothesis_settings.register_profile(
    "mutation",
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


HERE = Path(__file__).parent
# Packages whose tests share a fixture built once per package (the small demo council): each is
# one work unit, so that a worker builds it once rather than once per module it is handed.
WHOLE_PACKAGES = (HERE / "demo" / "tests" / "small_council",)
# The longest work units, handed out first and in this order: the large councils' modules (a
# council of 15,000 cases built and every list page asked on it: about three minutes of one
# worker), the small council's package and the walks of every route as every role
# (auditloop/tests), minutes each on PostgreSQL, though they hold few tests.
LONGEST_FIRST = (
    HERE / "demo" / "tests" / "test_large_seed.py",
    HERE / "demo" / "tests" / "test_national_council.py",
    *WHOLE_PACKAGES,
    HERE / "tests",
)
# A browser test takes about as long as this many others (a second worker's run: 83 browser
# tests, 550 s; 3,800 others, 800 s).
BROWSER_WEIGHT = 25


def _work_unit(item: pytest.Item) -> Path:
    return next((f for f in WHOLE_PACKAGES if item.path.is_relative_to(f)), item.path)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The order the work units are handed out in (`make test` runs xdist with
    `--no-loadscope-reorder`, so this order is kept), the same on every worker as xdist
    requires: the longest first, then the rest by their tests' weight, heaviest first, so
    that the last units handed out are short and neither worker ends the run alone. xdist's
    own order, by the number of tests, handed the walks out last: one worker ran alone for
    the last fifth of the run."""
    weight: dict[Path, int] = {}
    for item in items:
        unit = _work_unit(item)
        weight[unit] = weight.get(unit, 0) + (
            BROWSER_WEIGHT if item.get_closest_marker("browser") else 1
        )
    position = {item.nodeid: n for n, item in enumerate(items)}

    def order(item: pytest.Item) -> tuple[int, int, str, int]:
        unit = _work_unit(item)
        rank = next(
            (n for n, f in enumerate(LONGEST_FIRST) if unit.is_relative_to(f)), len(LONGEST_FIRST)
        )
        return (rank, -weight[unit], str(unit), position[item.nodeid])

    items.sort(key=order)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` hands each test worker whole modules (`--dist loadfile`), and a package in
    WHOLE_PACKAGES whole: what a module or the package builds once (the personas its tests
    share, a council of its own) is then built on one worker, once, rather than on both and
    again wherever a module was split between hand-outs. (xdist's own `loadgroup` would do
    this with marks, but on pytest 9.2 it silently groups nothing: pytest-xdist issue 1386.)"""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    packages = [str(folder.relative_to(config.rootpath)) + "/" for folder in WHOLE_PACKAGES]

    class WholeModulesAndPackages(LoadFileScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            package = next((p for p in packages if nodeid.startswith(p)), None)
            return package or str(super()._split_scope(nodeid))

    return WholeModulesAndPackages(config, log)


def _commits(item: pytest.Item) -> bool:
    """Whether a test commits for real: `transaction=True`, `transactional_db`, the live
    server."""
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    # pytest-django's own reading of the mark: (transaction, reset_sequences, ...).
    return marker is not None and validate_django_db(marker)[0]


def _reads_the_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_blocker"} & fixtures
    )


def _shares_personas(items: list[pytest.Item]) -> bool:
    """A module's tests may share one build of the personas when none of them commits (a
    commit cannot happen inside the module's transaction) and every one that may read the
    database asks for the personas: a test that does not expects an empty database."""
    return not any(_commits(item) for item in items) and all(
        "personas" in getattr(item, "fixturenames", ())
        for item in items
        if _reads_the_database(item)
    )


@pytest.fixture(scope="module")
def module_personas(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
) -> Iterator[Personas | None]:
    """The personas, built once per module inside a transaction rolled back after the module's
    last test, as Django's `TestCase.setUpTestData` does: each test runs in a savepoint within
    it and gets its own copy of the objects. Building them costs about 80 queries, and two
    thousand tests ask for them. None where the module's tests cannot share them.

    A module-scoped fixture may build on them (its own rows in a savepoint of this
    transaction, rolled back at the module's end), as the read-rule plans' region does."""
    module = request.module
    if not _shares_personas([item for item in request.session.items if item.module is module]):  # type: ignore[attr-defined]
        yield None
        return
    with django_db_blocker.unblock(), override_settings(**TEST_SETTINGS):
        atomic = transaction.atomic()
        atomic.__enter__()
        built = build_personas()
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def personas(db: None, module_personas: Personas | None) -> Personas:
    if module_personas is None:
        return build_personas()
    return copy.deepcopy(module_personas)


@pytest.fixture
def p(personas: Personas) -> Personas:
    """Short name for the personas, so tests read `p.auditor`."""
    return personas


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(scope="session")
def _spool_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("access-log-spool")


@pytest.fixture(autouse=True)
def _access_log_spool(settings: pytest.FixtureRequest, _spool_root: Path) -> None:
    """Each test has its own access-log spool (made only if a test spools), never the
    developer's var/ folder."""
    settings.ACCESS_LOG_SPOOL_DIR = _spool_root / uuid.uuid4().hex  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _figures_cache_emptied() -> None:
    """A test that commits (`transaction=True`) empties the database after it, and the data
    version with it: figures cached by an earlier test must not be found under its number."""
    caches[CACHE_ALIAS].clear()


@pytest.fixture
def anon() -> Client:
    return Client()
