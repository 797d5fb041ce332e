"""The addresses of pages that take no arguments, and of the layout's static files, worked out
once per process.

The layout and the middleware ask for a dozen on every page (home, sign in and out,
notifications, the footer's links): `reverse` walks the URL patterns each time, a fixed cost
of every page for an answer that only changes with the address the site is served under. The
layout's six static files (`{% static %}`: the storage's name for the file, joined to the
static address) were another 0.27 ms of every page, about a tenth of the signed-in floor.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse


def served_under() -> tuple[str, Any]:
    """What `reverse` answers by besides a route's name: the address the site is served under
    (the script prefix) and the URL conf. A cache of addresses is keyed by both."""
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def fixed_url(name: str) -> str:
    """`reverse(name)` for a route without arguments, kept per `served_under()`."""
    return _reversed(name, *served_under())


@lru_cache(maxsize=256)
def _reversed(name: str, script_prefix: str, urlconf: Any) -> str:
    # `script_prefix` and `urlconf` only key the cache.
    return reverse(name)


def fixed_static(path: str) -> str:
    """`{% static path %}`, kept per static address and storage: the same for every page of a
    process (a hashed storage reads its manifest of names once, when the process starts)."""
    return _static(path, settings.STATIC_URL, repr(settings.STORAGES.get("staticfiles")))


@lru_cache(maxsize=64)
def _static(path: str, static_url: str, storage: str) -> str:
    # `static_url` and `storage` only key the cache.
    return static(path)
