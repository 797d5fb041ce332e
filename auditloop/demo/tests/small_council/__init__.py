"""Tests of the small demo council: every module here reads the one council the package's
conftest builds, so it is built once per test worker rather than once per module."""

from __future__ import annotations

import datetime

# The day the council is built for; a test's dates are counted from it.
TODAY = datetime.date(2026, 11, 26)
