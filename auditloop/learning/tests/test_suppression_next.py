"""The secondary suppression picks its next figure by how many figures would be left
recoverable were each candidate hidden: counted from one pass over the hidden figures, it
gives the same count as searching the table again for each candidate (and so the same
suppression), on tables of every shape."""

from __future__ import annotations

import random

from auditloop.learning.rules.suppression import Key, _Table


def test_the_count_left_recoverable_for_each_candidate_is_the_count_a_full_search_finds() -> None:
    rng = random.Random(10)
    compared = 0
    for _ in range(400):
        rows, columns = rng.randint(1, 7), rng.randint(1, 6)
        cells = [[rng.choice([0, 0, 1, 2, 3, 7, 12]) for _ in range(columns)] for _ in range(rows)]
        table = _Table(cells, row_totals=rng.random() < 0.8, column_totals=rng.random() < 0.8)
        keys: list[Key] = list(table.values)
        hidden = set(rng.sample(keys, rng.randint(0, len(keys))))
        left = table._recoverable_if_hidden(hidden)
        for key in keys:
            if key not in hidden:
                assert left(key) == len(table.recoverable(hidden | {key})), (cells, hidden, key)
                compared += 1
    assert compared > 1000
