"""The cycle review's sections and figures, for the committee and for the leaders."""

from __future__ import annotations

import pytest

from auditloop.reports.access.scopes import review_scope
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.tests.review_factories import review_council
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

SECTION_KEYS = [
    "summary",
    "activity",
    "moderation",
    "compliance",
    "quality",
    "thematic",
    "safeguarding",
    "learning",
    "next",
]


def test_the_review_has_the_nine_sections_of_the_board_report_in_order(p: Personas) -> None:
    council = review_council(p)
    sections = cycle_review_sections(review_scope(council.cycle, "committee", None))
    assert [s.key for s in sections] == SECTION_KEYS
    assert [s.heading[:2] for s in sections] == [f"{n}." for n in range(1, 10)]
