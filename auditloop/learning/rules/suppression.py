"""Small-group suppression: which figures of a table of counts are not shown, so that no one can
be identified from them, and why. Pure code (no ORM): every page and export that shows figures
for a team or another group calls it, with `settings.AUDITLOOP_SMALL_GROUP_MIN` as `threshold`.

Two calls:

- `group_suppressed(audits, threshold=..., people=...)`: one group's figures (a team's picture
  for a cycle) are withheld altogether when fewer than `threshold` audits lie behind them, or
  they are audits of fewer than `MIN_PEOPLE` people's cases.
- `suppress_table(cells, threshold=..., ...)`: a table of counts (rows such as domains, teams
  or cycles; columns such as grades) with its row, column and grand totals, the way the page
  and the CSV show it. It answers, for every cell and total, whether it is suppressed and why
  (`PRIMARY` or `SECONDARY`); `Suppressed.cell(i, j)`, `.row_total(i)`, `.column_total(j)`,
  `.grand_total` read it, and `SUPPRESSED_MARK` ("[c]") is what to print in its place.

The rule, and why (the Government Statistical Service's guidance on disclosure control for
tables built from administrative records, which the ONS follows: "National Statistician's
Guidance: Confidentiality of Official Statistics" and the GSS/ONS guidance on disclosure
control of tables from administrative sources; "[c]" is the GSS symbol for a figure withheld
as confidential):

1. *Threshold rule for groups.* A group with fewer than `threshold` audits behind it (a team's
   audits in a cycle; a row that is a group, given by `row_groups`) is small enough to point
   at the few people whose cases were audited: all its figures are suppressed, the group's own
   total with them. Zero audits is not suppressed: there is nothing about anyone to show.
   Audits count cases, not people, and the figures are about the practitioners whose cases
   they were: a group whose audits are of fewer than `MIN_PEOPLE` (3) people's cases is
   suppressed too, however many audits, where the caller says how many people (`people`,
   `row_people`). That is the guidance's minimum number of contributors: with two, either
   could take their own grades from the group's and read the other's.
2. *Threshold rule for counts.* A count from 1 to `threshold - 1` is suppressed, a total as
   much as a cell. The guidance treats small counts (the ones and twos above all) as the
   usual route to identifying a person, and lets a department set its threshold by how
   sensitive the attribute is. Here the attribute is a judgement on a named worker's
   practice, read by people who know whose cases were audited, so the same configurable
   threshold as for groups is used (5 by default, the common choice for sensitive social care
   and health figures). Zeros are shown: "no audit of the team was graded Inadequate for this
   domain" says nothing about a person. (The guidance's "group disclosure", every member of a
   group in one category, is not suppressed: a team's figures are about the team's practice
   and meant to be read as such, and with at least `threshold` audits no single person is
   singled out.) The price is plain: a team with a handful of deep dives a cycle sees most of
   its grades by domain as [c]; lowering the threshold is the council's call, not the code's.
3. *Secondary suppression.* The totals shown are sums of the cells, so a suppressed figure
   must not be recoverable from them: not from its row or column alone (a line with exactly
   one figure suppressed gives it away by subtraction), nor from any combination of the sums
   shown (four cells suppressed as a square, say, with a fifth hanging off one of them). Each
   suppressed figure is checked exactly against the equations the table shows (each row sums
   to its total, each column to its total, the totals to the grand total): a figure is
   recoverable when every table of numbers that agrees with what is shown agrees on it (see
   `_Table`; the tests check the same by linear algebra). While one is, a further figure
   beside it (in one of its equations) is suppressed: a non-zero cell before a zero before a
   total, the one leaving fewest figures recoverable, then the smallest, then the earliest;
   and the check runs again, until none is recoverable. Suppression only ever
   grows, so it ends; with every figure suppressed none is recoverable.

Figures derived from counts (a share, a percentage) are shown only where every count they are
worked out from is shown. The check covers one table; a page that shows two tables of the
same audits (a grade distribution and, beside it, a share "Good or better") must not show in
one what the other suppresses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

SUPPRESSED_MARK = "[c]"
# The footnote under a table with a figure suppressed (format it with `threshold`,
# `largest_small` (threshold - 1) and `people` (`MIN_PEOPLE`)).
SUPPRESSED_NOTE = (
    "[c] Not shown so that no one can be identified: a count from 1 to {largest_small}, a "
    "group of fewer than {threshold} audits or of audits of fewer than {people} people's "
    "cases, or a figure that would let one of those be worked out from the totals."
)
# The same where small counts are shown (`suppress_table(..., small_counts=False)`).
SUPPRESSED_GROUP_NOTE = (
    "[c] Not shown so that no one can be identified: a group of fewer than {threshold} audits "
    "or of audits of fewer than {people} people's cases, or a figure that would let one of "
    "those be worked out from the totals."
)


class Reason(StrEnum):
    PRIMARY = "primary"  # a small group, or a small count
    SECONDARY = "secondary"  # would let a suppressed figure be worked out from the totals


# The fewest people whose cases a group's audits must be of (see rule 1).
MIN_PEOPLE = 3


def group_suppressed(audits: int, *, threshold: int, people: int | None = None) -> bool:
    """Whether one group's figures are all withheld: fewer than `threshold` audits lie behind
    them, or (where `people` is given) they are audits of fewer than `MIN_PEOPLE` people's
    cases. A group with no audits has no figures to withhold."""
    if audits <= 0:
        return False
    return audits < threshold or (people is not None and people < MIN_PEOPLE)


# A figure's place: ("cell", i, j), ("row", i, 0), ("column", 0, j) or ("grand", 0, 0).
type Key = tuple[str, int, int]


@dataclass(frozen=True)
class Suppressed:
    """Which figures of a table are suppressed, and why. Figures not named are shown."""

    reasons: dict[Key, Reason]

    def cell(self, row: int, column: int) -> Reason | None:
        return self.reasons.get(("cell", row, column))

    def row_total(self, row: int) -> Reason | None:
        return self.reasons.get(("row", row, 0))

    def column_total(self, column: int) -> Reason | None:
        return self.reasons.get(("column", 0, column))

    @property
    def grand_total(self) -> Reason | None:
        return self.reasons.get(("grand", 0, 0))

    @property
    def any(self) -> bool:
        return bool(self.reasons)

    def shown(self, key: Key) -> bool:
        return key not in self.reasons


def suppress_table(
    cells: Sequence[Sequence[int]],
    *,
    threshold: int,
    row_groups: Sequence[int] | None = None,
    row_people: Sequence[int] | None = None,
    row_totals: bool = True,
    column_totals: bool = True,
    small_counts: bool = True,
) -> Suppressed:
    """Which figures of this table of counts to suppress (see the module's rule).

    `cells`: one list of non-negative counts per row, every row as long. `threshold`:
    `settings.AUDITLOOP_SMALL_GROUP_MIN`. `row_groups`: where each row is a group (a team, a
    cycle), how many audits lie behind it; a row with fewer than `threshold` (and at least
    one) is suppressed whole; `row_people`, with it, how many people's cases they are of (a
    row of fewer than `MIN_PEOPLE` is suppressed whole too). `row_totals` / `column_totals`:
    whether the table shows each row's / column's total (the grand total is shown where both
    are); a total not shown is not an equation a reader has, and is never itself marked.
    `small_counts`: whether rule 2 (small counts) applies. It does wherever a reader could not
    already read the audits behind the figures; a caller whose every reader may read each of
    those audits (a team's picture, read by its manager and the leads over its service) turns
    it off, keeping rules 1 and 3, because hiding from them a count they can read audit by
    audit protects no one and leaves them a page of [c].

    Deterministic: the same table gives the same answer."""
    n_rows = len(cells)
    n_cols = len(cells[0]) if n_rows else 0
    if any(len(row) != n_cols for row in cells):
        raise ValueError("Every row of the table must have as many cells as the first.")
    if any(value < 0 for row in cells for value in row):
        raise ValueError("Counts cannot be negative.")
    if row_groups is not None and len(row_groups) != n_rows:
        raise ValueError("row_groups must give one number of audits per row.")
    if row_people is not None and (row_groups is None or len(row_people) != n_rows):
        raise ValueError("row_people must give one number of people per row, with row_groups.")
    table = _Table(cells, row_totals=row_totals, column_totals=column_totals)
    reasons: dict[Key, Reason] = {}
    for i, row in enumerate(cells):
        small_group = row_groups is not None and group_suppressed(
            row_groups[i],
            threshold=threshold,
            people=row_people[i] if row_people is not None else None,
        )
        for j, value in enumerate(row):
            if small_group or (small_counts and 0 < value < threshold):
                reasons[("cell", i, j)] = Reason.PRIMARY
        if row_totals and (small_group or (small_counts and 0 < sum(row) < threshold)):
            reasons[("row", i, 0)] = Reason.PRIMARY
    for key, value in table.values.items():
        if small_counts and key[0] in {"column", "grand"} and 0 < value < threshold:
            reasons[key] = Reason.PRIMARY
    hidden = set(reasons)
    exposed = table.recoverable(hidden)
    while exposed:
        extra = table.next_to_suppress(exposed, hidden)
        reasons[extra] = Reason.SECONDARY
        hidden.add(extra)
        exposed = table.recoverable(hidden)
    return Suppressed(reasons=reasons)


# The equation a figure is in that a reader does not have (a total not shown): every such end
# is one node, which need not balance (see `_Table.recoverable`).
_GROUND = "ground"


class _Table:
    """A table's figures and the equations its totals give a reader.

    Each figure is in at most two of the equations (a cell in its row's and its column's, a row
    total in its row's and the row totals' sum, a column total likewise, the grand total in the
    two sums of totals), with opposite signs once each equation is written the right way
    round. So the equations are a graph: one node per equation, one edge per figure between
    the equations it is in (a figure in an equation the reader does not have goes to one
    `_GROUND` node). The changes to the hidden figures that keep every equation true are the
    circulations of the hidden edges; a hidden figure no such change can move, one a reader
    can work out exactly, is an edge on no cycle of hidden edges: a bridge."""

    def __init__(
        self, cells: Sequence[Sequence[int]], *, row_totals: bool, column_totals: bool
    ) -> None:
        self.values: dict[Key, int] = {}
        self.ends: dict[Key, tuple[str, str]] = {}
        grand = row_totals and column_totals

        def row_node(i: int) -> str:
            return f"row {i}" if row_totals else _GROUND

        def column_node(j: int) -> str:
            return f"column {j}" if column_totals else _GROUND

        for i, row in enumerate(cells):
            for j, value in enumerate(row):
                self.values[("cell", i, j)] = value
                self.ends[("cell", i, j)] = (row_node(i), column_node(j))
        if row_totals:
            for i, row in enumerate(cells):
                self.values[("row", i, 0)] = sum(row)
                self.ends[("row", i, 0)] = (row_node(i), "row totals" if grand else _GROUND)
        if column_totals:
            for j in range(len(cells[0]) if cells else 0):
                self.values[("column", 0, j)] = sum(row[j] for row in cells)
                self.ends[("column", 0, j)] = (
                    column_node(j),
                    "column totals" if grand else _GROUND,
                )
        if grand:
            self.values[("grand", 0, 0)] = sum(map(sum, cells))
            self.ends[("grand", 0, 0)] = ("row totals", "column totals")
        self.order = {key: n for n, key in enumerate(self.values)}

    def recoverable(self, hidden: set[Key]) -> list[Key]:
        """The hidden figures a reader could work out exactly from the figures shown (the
        bridges of the hidden edges), in the table's order."""
        edges = sorted(hidden & self.values.keys(), key=self.order.__getitem__)
        return [edges[n] for n in sorted(_bridges([self.ends[key] for key in edges]))]

    def next_to_suppress(self, exposed: list[Key], hidden: set[Key]) -> Key:
        """The figure to suppress next: from the shown figures in an equation with an exposed
        one (anywhere in the table if none is left there), a non-zero cell before a zero cell
        before a total, then the one leaving fewest figures exposed, then the smallest, then
        the earliest."""
        touching = {end for key in exposed for end in self.ends[key]} - {_GROUND}
        near = [key for key in self.values if key not in hidden and touching & set(self.ends[key])]
        candidates = near or [key for key in self.values if key not in hidden]
        if not candidates:
            raise AssertionError("Every figure is suppressed, so none can be recoverable.")

        left = self._recoverable_if_hidden(hidden)

        def cost(key: Key) -> tuple[int, int, int, int]:
            kind = 2 if key[0] != "cell" else (0 if self.values[key] > 0 else 1)
            return (kind, left(key), self.values[key], self.order[key])

        return min(candidates, key=cost)

    def _recoverable_if_hidden(self, hidden: set[Key]) -> Callable[[Key], int]:
        """How many figures would be recoverable were one more figure hidden, for any figure,
        from one pass over the hidden ones (the same answer as counting
        `recoverable(hidden | {key})`, without a search per figure). Adding an edge between
        two ends: where they are not connected yet, the edge is a new bridge and the old ones
        stay; where they are, the bridges on the path between them (in the tree of the
        two-edge-connected parts the bridges join) lie on a cycle with it and stop being
        bridges, and it is on that cycle too."""
        edges = [self.ends[key] for key in hidden & self.values.keys()]
        bridges = _bridges(edges)
        # The two-edge-connected parts: the ends joined by edges that are not bridges.
        part: dict[str, str] = {}

        def find(node: str) -> str:
            part.setdefault(node, node)
            while part[node] != node:
                part[node] = part[part[node]]
                node = part[node]
            return node

        for n, (a, b) in enumerate(edges):
            find(a)
            find(b)
            if n not in bridges:
                part[find(a)] = find(b)
        # The bridges join the parts into a forest: each part's tree, parent and depth.
        tree: dict[str, list[str]] = {}
        for n in bridges:
            a, b = (find(end) for end in edges[n])
            tree.setdefault(a, []).append(b)
            tree.setdefault(b, []).append(a)
        parent: dict[str, str | None] = {}
        depth: dict[str, int] = {}
        root_of: dict[str, str] = {}
        for root in tree:
            if root in parent:
                continue
            parent[root], depth[root], root_of[root] = None, 0, root
            stack = [root]
            while stack:
                node = stack.pop()
                for other in tree[node]:
                    if other not in parent:
                        parent[other], depth[other], root_of[other] = node, depth[node] + 1, root
                        stack.append(other)
        count = len(bridges)

        def left(key: Key) -> int:
            a, b = self.ends[key]
            if a == b:
                return count  # a loop is never a bridge, and makes no cycle of others
            if a not in part or b not in part:
                return count + 1
            pa, pb = find(a), find(b)
            if pa == pb:
                return count
            if root_of.get(pa, pa) != root_of.get(pb, pb):
                return count + 1
            steps = 0
            while pa != pb:
                if depth[pa] < depth[pb]:
                    pa, pb = pb, pa
                up = parent[pa]
                if up is None:
                    raise AssertionError("Two parts of one tree meet at its root.")
                pa = up
                steps += 1
            return count - steps

        return left


def _bridges(edges: list[tuple[str, str]]) -> set[int]:
    """The indexes of the edges on no cycle (bridges) of this multigraph: Tarjan's low-link
    search, without recursion. Parallel edges make a cycle; a loop is never a bridge."""
    adjacent: dict[str, list[tuple[str, int]]] = {}
    for n, (a, b) in enumerate(edges):
        adjacent.setdefault(a, []).append((b, n))
        adjacent.setdefault(b, []).append((a, n))
    found: set[int] = set()
    entered: dict[str, int] = {}
    low: dict[str, int] = {}
    clock = 0
    for root in adjacent:
        if root in entered:
            continue
        entered[root] = low[root] = clock
        clock += 1
        # Each frame: the node, the edge it was reached by, where it is in its neighbours.
        stack: list[tuple[str, int, int]] = [(root, -1, 0)]
        while stack:
            node, via, at = stack[-1]
            if at < len(adjacent[node]):
                stack[-1] = (node, via, at + 1)
                other, edge = adjacent[node][at]
                if edge == via:
                    continue
                if other in entered:
                    low[node] = min(low[node], entered[other])
                else:
                    entered[other] = low[other] = clock
                    clock += 1
                    stack.append((other, edge, 0))
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > entered[parent]:
                    found.add(via)
    return found
