"""The addresses of pages that take no arguments, worked out once per process.

The layout and the middleware ask for a dozen on every page (home, sign in and out,
notifications, the footer's links): `reverse` walks the URL patterns each time, a fixed cost
of every page for an answer that only changes with the address the site is served under.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
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
