"""The cycle review rendered: a standalone HTML page (`html`), a PDF made from it (`pdf`) and a
Word document (`docx`). Each takes a `ReviewDocument` (the sections, each block's chart already
drawn in the format's picture) and reads no database."""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass, field

from auditloop.reports.blocks import Block, Section


@dataclass(frozen=True)
class DrawnBlock:
    """A block with its chart drawn: `svg` for HTML and PDF, `png` for Word (empty: none)."""

    block: Block
    svg: str = ""
    png: bytes = b""

    @property
    def svg_data_uri(self) -> str:
        """The SVG as an image address, for the PDF (see `renderers.pdf`)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode("ascii")


@dataclass(frozen=True)
class DrawnSection:
    section: Section
    blocks: list[DrawnBlock] = field(default_factory=list)


@dataclass(frozen=True)
class ReviewDocument:
    """What every format of one cycle review shows. `title` and `council` are also the
    document's properties (title, author): neither names a person."""

    title: str
    council: str
    cycle_name: str
    period: str
    audience: str
    audience_label: str
    built_on: datetime.date
    notes: list[str]
    sections: list[DrawnSection]

    @property
    def subject(self) -> str:
        return f"Six-month cycle review, {self.audience_label.lower()}: {self.cycle_name}"
