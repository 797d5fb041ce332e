"""Small-group suppression: small groups and small counts are suppressed, and no suppressed
figure can be worked out from the totals shown."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from auditloop.learning.rules.suppression import (
    Key,
    Reason,
    Suppressed,
    group_suppressed,
    suppress_table,
)

THRESHOLD = 5

counts = st.integers(min_value=0, max_value=30)
tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda width: st.lists(st.lists(counts, min_size=width, max_size=width), min_size=1, max_size=7)
)
large_or_zero = st.one_of(st.just(0), st.integers(min_value=THRESHOLD, max_value=40))
tables_without_small_counts = st.integers(min_value=1, max_value=5).flatmap(
    lambda width: st.lists(
        st.lists(large_or_zero, min_size=width, max_size=width), min_size=1, max_size=6
    )
)


def lines_of(cells: list[list[int]]) -> list[list[Key]]:
    """Every equation a reader of the table with all its totals has: a row's cells and its
    total, a column's cells and its total, the row totals and the grand total, the column
    totals and the grand total."""
    n_rows, n_cols = len(cells), len(cells[0])
    lines: list[list[Key]] = []
    for i in range(n_rows):
        lines.append([("cell", i, j) for j in range(n_cols)] + [("row", i, 0)])
    for j in range(n_cols):
        lines.append([("cell", i, j) for i in range(n_rows)] + [("column", 0, j)])
    lines.append([("row", i, 0) for i in range(n_rows)] + [("grand", 0, 0)])
    lines.append([("column", 0, j) for j in range(n_cols)] + [("grand", 0, 0)])
    return lines


def recoverable_by_algebra(cells: list[list[int]], result: Suppressed) -> set[Key]:
    """An independent check, by exact linear algebra: the suppressed figures a reader could
    work out from the figures shown and the equations the totals give (every line of
    `lines_of` sums its cells to its total). A suppressed figure can be worked out when it is
    zero in every vector of the null space of those equations over the suppressed figures."""
    unknowns = sorted({key for line in lines_of(cells) for key in line}, key=str)
    unknowns = [key for key in unknowns if not result.shown(key)]
    if not unknowns:
        return set()
    place = {key: n for n, key in enumerate(unknowns)}
    matrix = []
    for line in lines_of(cells):
        row = [Fraction(0)] * len(unknowns)
        *parts, total = line
        for key in parts:
            if key in place:
                row[place[key]] += 1
        if total in place:
            row[place[total]] -= 1
        matrix.append(row)
    basis = null_space(matrix, len(unknowns))
    return {key for key, n in place.items() if all(vector[n] == 0 for vector in basis)}


def null_space(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    rows = [list(row) for row in matrix]
    pivots: list[int] = []
    r = 0
    for c in range(width):
        pivot = next((k for k in range(r, len(rows)) if rows[k][c] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        rows[r] = [value / rows[r][c] for value in rows[r]]
        for k in range(len(rows)):
            if k != r and rows[k][c] != 0:
                factor = rows[k][c]
                rows[k] = [a - factor * b for a, b in zip(rows[k], rows[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == len(rows):
            break
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [Fraction(0)] * width
        vector[free] = Fraction(1)
        for k, c in enumerate(pivots):
            vector[c] = -rows[k][free]
        basis.append(vector)
    return basis


@given(tables)
def test_no_line_of_the_table_has_exactly_one_figure_suppressed(cells: list[list[int]]) -> None:
    result = suppress_table(cells, threshold=THRESHOLD)
    for line in lines_of(cells):
        assert sum(not result.shown(key) for key in line) != 1, line


@given(tables)
def test_no_suppressed_figure_can_be_worked_out_from_the_figures_shown(
    cells: list[list[int]],
) -> None:
    result = suppress_table(cells, threshold=THRESHOLD)
    assert recoverable_by_algebra(cells, result) == set()


@given(tables)
def test_every_small_count_or_total_is_suppressed_as_primary_and_no_zero_is(
    cells: list[list[int]],
) -> None:
    result = suppress_table(cells, threshold=THRESHOLD)
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            if 0 < value < THRESHOLD:
                assert result.cell(i, j) == Reason.PRIMARY
            else:
                assert result.cell(i, j) != Reason.PRIMARY
    totals = [(("row", i, 0), sum(row)) for i, row in enumerate(cells)]
    totals += [(("column", 0, j), sum(row[j] for row in cells)) for j in range(len(cells[0]))]
    totals.append((("grand", 0, 0), sum(map(sum, cells))))
    for key, value in totals:
        assert (result.reasons.get(key) == Reason.PRIMARY) == (0 < value < THRESHOLD)


@given(tables_without_small_counts)
def test_a_table_without_small_counts_or_small_groups_suppresses_nothing(
    cells: list[list[int]],
) -> None:
    result = suppress_table(cells, threshold=THRESHOLD, row_groups=[THRESHOLD] * len(cells))
    assert not result.any


@given(tables, st.data())
def test_every_row_of_a_small_group_is_suppressed_whole(
    cells: list[list[int]], data: st.DataObject
) -> None:
    groups = data.draw(
        st.lists(st.integers(min_value=0, max_value=12), min_size=len(cells), max_size=len(cells))
    )
    result = suppress_table(cells, threshold=THRESHOLD, row_groups=groups)
    for i, audits in enumerate(groups):
        if 0 < audits < THRESHOLD:
            assert result.row_total(i) == Reason.PRIMARY
            assert all(result.cell(i, j) == Reason.PRIMARY for j in range(len(cells[0])))
    assert recoverable_by_algebra(cells, result) == set()


@given(tables)
def test_the_same_table_is_always_suppressed_the_same_way(cells: list[list[int]]) -> None:
    first = suppress_table(cells, threshold=THRESHOLD)
    again = suppress_table([list(row) for row in cells], threshold=THRESHOLD)
    assert first == again


def test_a_single_small_cell_takes_the_smallest_other_cell_of_its_row_and_column_with_it() -> None:
    result = suppress_table([[10, 2, 7], [9, 8, 12]], threshold=THRESHOLD)
    assert result.cell(0, 1) == Reason.PRIMARY
    # Its row's smallest other cell (7), and in its column the other cell (8); then each of
    # their lines needs a partner, which the 12 (shared by both) gives.
    assert result.cell(0, 2) == Reason.SECONDARY
    assert result.cell(1, 1) == Reason.SECONDARY
    assert result.cell(1, 2) == Reason.SECONDARY
    assert result.cell(0, 0) is None
    assert result.cell(1, 0) is None
    assert result.row_total(0) is None
    assert result.grand_total is None


def test_a_one_row_table_suppresses_a_second_cell_beside_a_small_one() -> None:
    result = suppress_table([[0, 6, 3, 9]], threshold=THRESHOLD, column_totals=False)
    assert result.cell(0, 2) == Reason.PRIMARY
    assert result.cell(0, 1) == Reason.SECONDARY
    assert result.cell(0, 3) is None
    assert result.cell(0, 0) is None


def test_without_totals_shown_only_the_small_counts_are_suppressed() -> None:
    result = suppress_table(
        [[3, 9], [8, 7]], threshold=THRESHOLD, row_totals=False, column_totals=False
    )
    assert set(result.reasons) == {("cell", 0, 0)}


def test_the_threshold_is_the_callers() -> None:
    assert not suppress_table([[3, 9]], threshold=3).any
    assert suppress_table([[3, 9]], threshold=4).cell(0, 0) == Reason.PRIMARY


def test_a_group_with_fewer_audits_than_the_threshold_is_suppressed_but_not_an_empty_one() -> None:
    assert group_suppressed(4, threshold=5)
    assert group_suppressed(1, threshold=5)
    assert not group_suppressed(5, threshold=5)
    assert not group_suppressed(0, threshold=5)


def test_the_independent_check_finds_a_figure_left_alone_in_its_row() -> None:
    only_primary = Suppressed(reasons={("cell", 0, 1): Reason.PRIMARY})
    assert recoverable_by_algebra([[10, 2, 7], [9, 8, 12]], only_primary) == {("cell", 0, 1)}


def test_a_group_of_audits_of_fewer_than_three_peoples_cases_is_suppressed() -> None:
    assert group_suppressed(12, threshold=5, people=2)
    assert not group_suppressed(12, threshold=5, people=3)
    assert not group_suppressed(12, threshold=5)
    result = suppress_table(
        [[6, 6], [7, 8]], threshold=5, row_groups=[12, 15], row_people=[2, 4], column_totals=False
    )
    assert result.cell(0, 0) == result.cell(0, 1) == result.row_total(0) == Reason.PRIMARY
    assert result.cell(1, 0) is None
