"""Matching the names a list gives to the council's staff and teams.

Workers match by SWE number first, then by normalised name (case, spaces and titles
ignored); teams by normalised name. What matches nothing is reported once per name, with
how many rows named it, and the name is kept on the case file: never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from auditloop.accounts.models import StaffMember, Team
from auditloop.imports.parsers.base import Issue
from auditloop.imports.values import normalise_name as _normalise_name

# Lists name the same few hundred workers and teams thousands of times over.
normalise_name = lru_cache(maxsize=20_000)(_normalise_name)


@dataclass
class _Misses:
    what: str
    column: str
    seen: dict[str, tuple[int, str, int | None, str]] = field(default_factory=dict)

    def add(self, name: str, sheet: str, row: int | None, reason: str) -> None:
        count, first_sheet, first_row, first_reason = self.seen.get(name, (0, sheet, row, reason))
        self.seen[name] = (count + 1, first_sheet, first_row, first_reason)

    def issues(self) -> list[Issue]:
        out = []
        for name, (count, sheet, row, reason) in self.seen.items():
            rows = "1 row" if count == 1 else f"{count} rows"
            out.append(
                Issue(
                    sheet,
                    row,
                    self.column,
                    name,
                    f"{reason} ({rows}, the first shown here). The name was kept on the case "
                    f"file; add the {self.what} to auditloop and import the list again to link "
                    "them.",
                    "warning",
                )
            )
        return out


class StaffIndex:
    """The council's staff, looked up by SWE number and by normalised name."""

    def __init__(self) -> None:
        self.by_swe: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, name, swe in StaffMember.objects.values_list("id", "name", "swe_number"):
            if swe:
                self.by_swe[swe.strip().upper()] = pk
            self.by_name.setdefault(normalise_name(name), []).append(pk)
        self.misses = _Misses("member of staff", "Allocated Worker")

    def match(self, *, name: str, swe: str, sheet: str, row: int | None) -> int | None:
        if swe:
            found = self.by_swe.get(swe.strip().upper())
            if found is not None:
                return found
            if not name:
                self.misses.add(swe, sheet, row, "This SWE number matches no member of staff")
                return None
        if not name:
            return None
        candidates = self.by_name.get(normalise_name(name), [])
        if len(candidates) == 1:
            return candidates[0]
        reason = (
            "This worker's name matches more than one member of staff"
            if candidates
            else "This worker matches no member of staff"
        )
        self.misses.add(name, sheet, row, reason)
        return None


class TeamIndex:
    """The council's teams, looked up by normalised name."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[int]] = {}
        for pk, name in Team.objects.values_list("id", "name"):
            self.by_name.setdefault(normalise_name(name), []).append(pk)
        self.misses = _Misses("team", "Allocated Team")

    def match(self, *, name: str, sheet: str, row: int | None) -> int | None:
        if not name:
            return None
        candidates = self.by_name.get(normalise_name(name), [])
        if len(candidates) == 1:
            return candidates[0]
        reason = (
            "This team's name is used in more than one service"
            if candidates
            else "This team matches no team in auditloop"
        )
        self.misses.add(name, sheet, row, reason)
        return None
