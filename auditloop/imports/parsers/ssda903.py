"""The SSDA903 looked-after return: one CSV per table (header, episodes, social-worker episodes).

Each file is recognised by its columns. The episodes table creates or refreshes looked-after
case files; the header and social-worker tables add to case files that already exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from auditloop.cases.models import Cohort
from auditloop.imports.parsers.base import (
    CaseRecord,
    FileRejected,
    Issue,
    IssueLog,
    ParsedCases,
    Progress,
    csv_rows,
    decode_csv,
    no_progress,
)
from auditloop.imports.values import parse_child_id, parse_date, text


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    required: frozenset[str]
    # Files are read in this order when several are given: episodes first, as they create.
    order: int


TABLES = (
    Table(
        "episodes",
        (
            "CHILD",
            "DECOM",
            "RNE",
            "LS",
            "CIN",
            "PLACE",
            "PLACE_PROVIDER",
            "DEC",
            "REC",
            "REASON_PLACE_CHANGE",
            "HOME_POST",
            "PL_POST",
            "URN",
        ),
        frozenset({"CHILD", "DECOM", "DEC"}),
        0,
    ),
    Table(
        "header",
        ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
        frozenset({"CHILD", "SEX", "DOB"}),
        1,
    ),
    Table(
        "social-worker episodes",
        ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
        frozenset({"CHILD", "SW_ID", "SW_DECOM"}),
        2,
    ),
)

RNE_CODES = frozenset({"S", "L", "P", "T", "U", "B"})
LS_CODES = frozenset({"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"})
REC_CODES = frozenset(
    {
        "E11",
        "E12",
        "E13",
        "E14",
        "E15",
        "E16",
        "E17",
        "E2",
        "E3",
        "E41",
        "E45",
        "E46",
        "E47",
        "E48",
        "E4A",
        "E4B",
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
        "X1",
    }
)
# Reasons a social-worker episode ended, as the 2023-24 return codes them.
SW_REASON_CODES = frozenset(
    {"MGMTDEC", "LTI", "FIXEDTERM", "LEFTROLE", "ORGRESTRUCT", "CASETRANSFER", "OTHER"}
)
SEXES = {"1": "Male", "2": "Female"}
_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")
_UPN_UNKNOWN = re.compile(r"^UN[1-7]$")


type Rows = Iterable[tuple[int, dict[str, str]]]


def table_of(content: bytes, *, name: str) -> tuple[Table, str]:
    """Which SSDA903 table a CSV holds, by its header row, with its decoded text."""
    decoded = decode_csv(content, name=name)
    _, first = next(csv_rows(decoded, name=name), (1, []))
    columns = {c.strip().upper() for c in first}
    for table in TABLES:
        if table.required <= columns:
            return table, decoded
    raise FileRejected(
        f"{name} is not an SSDA903 table we recognise: its first row should name the columns "
        "(for example CHILD, DECOM, RNE for episodes, or CHILD, SEX, DOB for the header). "
        "Export the table again with its header row."
    )


def parse_ssda903(content: bytes, *, name: str, progress: Progress = no_progress) -> ParsedCases:
    """Read one SSDA903 table, a row at a time. Raises FileRejected when it cannot be read
    at all, wherever in the file the reason is."""
    table, decoded = table_of(content, name=name)
    reader = csv_rows(decoded, name=name, progress=progress)
    _, first = next(reader)
    header = [c.strip().upper() for c in first]
    parsed = ParsedCases(
        records={}, issues=IssueLog(), rows=0, found=[f"SSDA903 {table.name} table"]
    )
    for column in header:
        if column and column not in table.columns:
            parsed.issues.append(
                Issue(
                    name,
                    1,
                    column,
                    "",
                    f"Column '{column}' is not part of the SSDA903 "
                    f"{table.name} table, so it was ignored.",
                    "warning",
                )
            )
    rows = ((number, dict(zip(header, cells, strict=False))) for number, cells in reader)
    if table.name == "episodes":
        _episodes(rows, name, parsed)
    elif table.name == "header":
        _header(rows, name, parsed)
    else:
        _sw_episodes(rows, name, parsed)
    progress(1.0)
    return parsed


def _child(row: dict[str, str], number: int, name: str, parsed: ParsedCases) -> str | None:
    child_id, problem = parse_child_id(row.get("CHILD", ""))
    if child_id is None:
        if any(v.strip() for v in row.values()):
            parsed.issues.append(
                Issue(name, number, "CHILD", row.get("CHILD", ""), problem, "error")
            )
        return None
    return child_id


def _date(row: dict[str, str], column: str, number: int, name: str, parsed: ParsedCases) -> Any:
    when, problem = parse_date(row.get(column, ""))
    if problem:
        parsed.issues.append(Issue(name, number, column, row.get(column, ""), problem, "warning"))
    return when


def _code(
    row: dict[str, str],
    column: str,
    codes: frozenset[str],
    number: int,
    name: str,
    parsed: ParsedCases,
    what: str,
) -> None:
    value = text(row.get(column, "")).upper()
    if value and value not in codes:
        parsed.issues.append(
            Issue(
                name,
                number,
                column,
                row.get(column, ""),
                f"This is not a valid {what} code.",
                "warning",
            )
        )


def _episodes(rows: Rows, name: str, parsed: ParsedCases) -> None:
    by_child: dict[str, list[tuple[Any, Any, str]]] = {}
    for number, row in rows:
        child_id = _child(row, number, name, parsed)
        if child_id is None:
            continue
        parsed.rows += 1
        start = _date(row, "DECOM", number, name, parsed)
        end = _date(row, "DEC", number, name, parsed)
        _code(row, "RNE", RNE_CODES, number, name, parsed, "reason for new episode (RNE)")
        _code(row, "LS", LS_CODES, number, name, parsed, "legal status (LS)")
        _code(row, "REC", REC_CODES, number, name, parsed, "reason episode ceased (REC)")
        if start is None:
            parsed.issues.append(
                Issue(
                    name,
                    number,
                    "DECOM",
                    row.get("DECOM", ""),
                    "The episode has no start date, so it was not used.",
                    "error",
                )
            )
            continue
        by_child.setdefault(child_id, []).append((start, end, text(row.get("RNE")).upper()))
        parsed.records.setdefault(
            child_id, CaseRecord(la_child_id=child_id, cohort=Cohort.CLA, sheet=name, row=number)
        )
    for child_id, episodes in by_child.items():
        episodes.sort(key=lambda e: e[0])
        record = parsed.records[child_id]
        record.lists.add(8)
        # The current period of care starts at the last "S" (started to be looked after).
        period_start = next((e[0] for e in reversed(episodes) if e[2] == "S"), episodes[0][0])
        record.fields["cla_start"] = period_start
        open_now = any(e[1] is None for e in episodes)
        record.is_open = open_now
        if not open_now:
            record.fields["closed_on"] = max(e[1] for e in episodes)
            # An ended period of care never closes a case file that another source holds open.
            record.keeps_status = True


def _header(rows: Rows, name: str, parsed: ParsedCases) -> None:
    for number, row in rows:
        child_id = _child(row, number, name, parsed)
        if child_id is None:
            continue
        parsed.rows += 1
        _check_upn(row, number, name, parsed)
        if child_id in parsed.records:
            parsed.issues.append(
                Issue(
                    name,
                    number,
                    "CHILD",
                    "",
                    "This child is in the header table more than once; the first row was used.",
                    "warning",
                )
            )
            continue
        parsed.records[child_id] = CaseRecord(
            la_child_id=child_id,
            cohort=Cohort.CLA,
            fields=_header_fields(row, number, name, parsed),
            sheet=name,
            row=number,
            update_only=True,
        )


def _check_upn(row: dict[str, str], number: int, name: str, parsed: ParsedCases) -> None:
    """Warn of a unique pupil number that is neither a UPN nor an 'unknown' code."""
    upn = text(row.get("UPN", "")).upper()
    if upn and not (_UPN.match(upn) or _UPN_UNKNOWN.match(upn)):
        parsed.issues.append(
            Issue(
                name,
                number,
                "UPN",
                row.get("UPN", ""),
                "This is not a valid unique pupil "
                "number: it should be a letter, 11 digits and a digit or letter (13 "
                "characters), or UN1 to UN7 when unknown.",
                "warning",
            )
        )


def _header_fields(
    row: dict[str, str], number: int, name: str, parsed: ParsedCases
) -> dict[str, Any]:
    """The child's date of birth, sex and ethnicity from their header row."""
    fields: dict[str, Any] = {}
    dob = _date(row, "DOB", number, name, parsed)
    if dob is not None:
        fields["date_of_birth"] = dob
    sex = text(row.get("SEX", ""))
    if sex in SEXES:
        fields["gender"] = SEXES[sex]
    elif sex:
        parsed.issues.append(
            Issue(
                name,
                number,
                "SEX",
                row.get("SEX", ""),
                "SEX should be 1 (male) or 2 (female).",
                "warning",
            )
        )
    ethnic = text(row.get("ETHNIC", "")).upper()
    if ethnic:
        fields["ethnicity"] = ethnic[:60]
    return fields


def _sw_episodes(rows: Rows, name: str, parsed: ParsedCases) -> None:
    latest: dict[str, tuple[Any, str, int]] = {}
    for number, row in rows:
        child_id = _child(row, number, name, parsed)
        if child_id is None:
            continue
        parsed.rows += 1
        start = _date(row, "SW_DECOM", number, name, parsed)
        end = _date(row, "SW_DEC", number, name, parsed)
        _code(
            row,
            "SW_REASON",
            SW_REASON_CODES,
            number,
            name,
            parsed,
            "reason the social-worker episode ended (SW_REASON)",
        )
        sw_id = text(row.get("SW_ID", ""))
        if not sw_id:
            parsed.issues.append(
                Issue(name, number, "SW_ID", "", "The social worker's ID is missing.", "warning")
            )
            continue
        if start is None:
            continue
        # The open episode, or else the latest, names the child's social worker.
        rank = (end is None, start)
        current = latest.get(child_id)
        if current is None or rank > current[0]:
            latest[child_id] = (rank, sw_id, number)
    for child_id, (_, sw_id, number) in latest.items():
        parsed.records[child_id] = CaseRecord(
            la_child_id=child_id,
            cohort=Cohort.CLA,
            worker_swe=sw_id,
            sheet=name,
            row=number,
            update_only=True,
        )
