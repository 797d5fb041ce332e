from __future__ import annotations

import io

from openpyxl import load_workbook

from auditloop.learning.selectors.team_picture import Figure, FigureRow, FigureTable
from auditloop.reports.blocks import Block
from auditloop.reports.exports import block_csv, block_xlsx, sheet_title


def _block(heading: str, label: str = "Team A") -> Block:
    table = FigureTable(
        caption=heading,
        row_heading="Team",
        columns=["Good"],
        rows=[FigureRow(label=label, cells=[Figure("7")], total=Figure("7"))],
    )
    return Block(key="k", heading=heading, table=table)


def test_a_heading_with_characters_a_sheet_name_refuses_still_makes_a_workbook() -> None:
    data = block_xlsx(_block("Grades by domain: Case file audit [v2] / x?"), context=[])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.title == "Grades by domain Case file audi"
    assert sheet_title("") == "Figures"


def test_whole_counts_are_numbers_in_the_workbook_and_formulas_are_neutralised() -> None:
    data = block_xlsx(_block("Overall grades", label="=HYPERLINK(1)"), context=[("Cycle", "+1")])
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].values)
    assert ("'+1" in rows[1]) and any(row[0] == "'=HYPERLINK(1)" and 7 in row for row in rows)
    assert "'=HYPERLINK(1)" in block_csv(_block("x", label="=HYPERLINK(1)"), context=[])
