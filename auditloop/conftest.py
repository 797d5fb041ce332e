from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from xdist.scheduler import LoadScopeScheduling

from auditloop.core.dataversion import CACHE_ALIAS
from auditloop.testing import Personas, build_personas

# Tests that share one costly module- or package-scoped fixture (a demo council, a measured
# walk of every list page): `pytest -n 2` sends each of these whole to one worker, so the
# fixture is made once in all rather than once on each worker that draws one of its tests.
# Every other test is handed out one at a time, as xdist's `load` does.
SHARED_FIXTURE_TESTS = (
    "auditloop/demo/tests/small_council/",
    "auditloop/demo/tests/test_demo_first_run.py::",
    "auditloop/tests/test_list_query_counts.py::",
)


class SharedFixtureScheduling(LoadScopeScheduling):  # type: ignore[misc]
    """xdist's `loadscope`, with a scope of one test except for SHARED_FIXTURE_TESTS.

    (xdist's own `loadgroup` would do it by a mark, but it names a test after its group by
    setting `item._nodeid`, which pytest 9 no longer reads.)"""

    def _split_scope(self, nodeid: str) -> str:
        return next((p for p in SHARED_FIXTURE_TESTS if nodeid.startswith(p)), nodeid)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> SharedFixtureScheduling | None:
    """In place of xdist's `load` (what `-n 2` chooses); any other `--dist` is left alone."""
    if config.getvalue("dist") != "load":
        return None
    return SharedFixtureScheduling(config, log)


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


@pytest.fixture
def personas(db: None) -> Personas:
    return build_personas()


@pytest.fixture
def p(personas: Personas) -> Personas:
    """Short name for the personas, so tests read `p.auditor`."""
    return personas


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.AXES_ENABLED = False  # type: ignore[attr-defined]
    # No role needs a second factor unless a test asks (the twofactor tests turn it on).
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = []  # type: ignore[attr-defined]


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
