"""What every report is made of, whatever it is rendered as.

A report (a dashboard, the cycle review) is a list of `Section`s; a section is a heading,
words, and `Block`s; a block is one figure table (`FigureTable`, suppressed as the team
picture's are), the chart of the same figures where people would rather look than read, and
words. Each renderer (page, CSV, xlsx, PDF, Word, the API) takes these and nothing else, so
that every format shows the same figures. Where a part of a report has no figures yet (no
moderation regraded, no revisit done), its block has no table and says so in words: never an
empty table or an invented figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from auditloop.learning.selectors.team_picture import Figure, FigureRow, FigureTable

__all__ = [
    "Block",
    "Chart",
    "ChartKind",
    "Figure",
    "FigureRow",
    "FigureTable",
    "Section",
    "Series",
]


class ChartKind(StrEnum):
    # Each category's distribution as one bar divided by share (grades by domain).
    STACKED = "stacked"
    # One value per category, side by side for each series (compliance rate by check).
    BARS = "bars"
    # Values across an ordered axis (cycles, months), one line per series.
    LINE = "line"


@dataclass(frozen=True)
class Series:
    """One series of a chart: its name and a value per category, None where the figure is
    suppressed or missing (drawn as a gap, never as zero)."""

    name: str
    values: list[float | None]


@dataclass(frozen=True)
class Chart:
    """A chart of a block's figures. `unit` is "%" for shares (the axis runs 0 to 100) or ""
    for counts. `target` draws a horizontal line (a target the council set), with its words."""

    kind: ChartKind
    title: str
    categories: list[str]
    series: list[Series]
    unit: str = "%"
    target: float | None = None
    target_label: str = ""


@dataclass(frozen=True)
class Block:
    """One figure of a report: `key` is stable and URL-safe ("grades-overall"), names the
    block's CSV and xlsx downloads and its API aggregate; `table` is None when there are no
    figures to show, and then `words` say why."""

    key: str
    heading: str
    table: FigureTable | None = None
    chart: Chart | None = None
    words: list[str] = field(default_factory=list)

    @property
    def suppressed(self) -> bool:
        return self.table is not None and self.table.suppressed


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    def block(self, key: str) -> Block | None:
        return next((b for b in self.blocks if b.key == key), None)


def blocks_of(sections: list[Section]) -> list[Block]:
    return [block for section in sections for block in section.blocks]


def block_by_key(sections: list[Section], key: str) -> Block | None:
    return next((b for b in blocks_of(sections) if b.key == key), None)
