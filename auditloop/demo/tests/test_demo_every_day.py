"""The demo council gives every login something to do and to see on whatever day it is built:
its history is anchored to the day (`auditloop/demo/tests/every_day.py` says what each login
looks for). Two awkward days, on a tenth of the small council: the first of a month and of a
year (yesterday's audits were last month's), and a leap day at a month's end.

`scripts/demo_days.py` runs the same checks on the whole small council over a spread of days,
the training needs among them (a tenth of the council has too few audits a team for the
training rules, which leave small groups alone)."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from auditloop.demo.builder import demo_council_build
from auditloop.demo.tests.every_day import missing_on

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("review_not_laid_out")]


@pytest.mark.parametrize("day", [datetime.date(2026, 1, 1), datetime.date(2024, 2, 29)], ids=str)
def test_every_demo_login_has_work_to_do_and_see_on_an_awkward_day(day: datetime.date) -> None:
    with transaction.atomic():
        demo_council_build(size="small", seed=1, scale=0.1, today=day)
        assert missing_on(day, training=False) == []
