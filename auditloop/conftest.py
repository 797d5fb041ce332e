from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from auditloop.core.dataversion import CACHE_ALIAS
from auditloop.testing import Personas, build_personas

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
