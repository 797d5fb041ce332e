"""The demo council's audit history: past six-month cycles of dip samples, deep dives and
thematic audits with their answers, findings, revisits, actions, unsafe-child flags and
replies; then the work in hand today, placed so that each demo login has something to do.

Written with `bulk_create`, cycle by cycle, so memory stays flat however many years are built.
Every part draws from the one seeded random-number stream held in `History`, in a fixed order,
so the same seed builds the same rows: `state` (what the parts share), `audits` (one audit, its
answers, and writing a batch), `followup` (actions, flags with their notices, replies),
`cycles` (the past cycles), `revisits` (each cycle's revisits) and `today` (the work in hand).
"""

from __future__ import annotations

import datetime as dt
import random

from auditloop.core.models import Notification
from auditloop.demo.council import BATCH, Council
from auditloop.demo.history.cycles import cycle_build
from auditloop.demo.history.state import History
from auditloop.demo.history.today import work_in_hand


class HistoryBuilder:
    def __init__(
        self,
        *,
        council: Council,
        rng: random.Random,
        today: dt.date,
        cycles: int,
        audits_per_cycle: int,
    ) -> None:
        self.history = History(
            council=council,
            rng=rng,
            today=today,
            cycles=cycles,
            audits_per_cycle=audits_per_cycle,
        )

    def build(self) -> None:
        h = self.history
        for k in range(h.cycles):
            cycle_build(h, k)
        work_in_hand(h)
        Notification.objects.bulk_create(h.notifications, batch_size=BATCH)
