"""The demo council: `auditloop seed-demo` builds it, `auditloop demo` shows it.

A made-up county council with services, teams, staff, children's case files (IDs only, no
names) and years of audits, built deterministically from a seed.
"""

from __future__ import annotations

from auditloop.core.demo.builder import (
    SIZES,
    DemoSummary,
    council_counts,
    council_delete,
    council_exists,
    demo_council_build,
    demo_digest,
)
from auditloop.core.demo.council import DEMO_LOGINS
from auditloop.core.demo.logins import demo_logins_set_password, demo_password, demo_password_path

__all__ = [
    "DEMO_LOGINS",
    "SIZES",
    "DemoSummary",
    "council_counts",
    "council_delete",
    "council_exists",
    "demo_council_build",
    "demo_digest",
    "demo_logins_set_password",
    "demo_password",
    "demo_password_path",
]
