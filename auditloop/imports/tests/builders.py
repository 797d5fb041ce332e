"""Files for the import tests: the real samples, and broken files made on the spot."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook

FIXTURES = Path(__file__).parent / "fixtures"
ANNEX_A = FIXTURES / "Annex_A_2024_Jan.xlsx"
EPISODES = FIXTURES / "liia_SSDA903_2020_episodes.csv"
HEADER = FIXTURES / "liia_SSDA903_2020_header.csv"
SW_EPISODES = FIXTURES / "sw_episodes.csv"
CIN_2024 = FIXTURES / "CIN_Census_2024.xml"
CIN_2026 = FIXTURES / "CIN_Census_2026.xml"

LIST_6_HEADERS = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age",
    "Does the Child have a Disability",
    "CIN Start Date",
    "Primary Need Code",
    "Date Child Was Last Seen",
    "CIN Closure Date",
    "Reason for Closure",
    "Case Status",
    "Allocated Team",
    "Allocated Worker",
]
LIST_7_HEADERS = [
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Does the Child have a Disability",
    "Child Protection Plan Start Date",
    "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?",
    "Date of latest review conference",
    "Child Protection Plan End Date",
    "Allocated Team",
    "Allocated Worker",
]


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """An xlsx with the given sheets, each a list of rows (the first is usually headers)."""
    book = Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def list_6_row(child_id: Any, team: str = "North A", worker: str = "Pat Practitioner") -> list[Any]:
    return [
        child_id,
        "a) Male",
        "a) WBRI",
        "14/02/2015",
        11.2,
        "b) No",
        "2025-09-01",
        "N1 - Abuse or Neglect",
        46100,
        "",
        "",
        "c) Child in need plan",
        team,
        worker,
    ]


def list_6(*rows: list[Any]) -> bytes:
    return workbook({"List 6": [LIST_6_HEADERS, *rows]})


def zip_bomb(expanded_mb: int = 600) -> bytes:
    """An xlsx-shaped zip whose one part declares `expanded_mb` megabytes: small on disk."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(expanded_mb):
                part.write(block)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Message><Children><Child><ChildIdentifiers><LAchildID>&lol9;</LAchildID></ChildIdentifiers></Child></Children></Message>
"""

STAFF_CSV = (
    "name,email,swe_number,team,service,role,manager_email,start_date,end_date,notes\n"
    "Mary Manager,mary@council.example,SW100001,Assessment 1,East,team_manager,,01/04/2023,,x\n"
    "Dr. Sam  Social,sam@council.example,SW100002,Assessment 1,East,practitioner,"
    "mary@council.example,2024-01-08,,\n"
    "Lee Lead,lee@council.example,,,East,moderator,,01/01/2020,,\n"
    "Nobody,not-an-email,,,,practitioner,,,,\n"
    "Rory Role,rory@council.example,,,,wizard,,,,\n"
)
