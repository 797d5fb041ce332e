"""Identifiers in free text: one combined pattern finds the candidates, and each kind is then
checked by its own rule (python-stdnum for NHS numbers and UPNs, phonenumbers for telephone
numbers, HMRC's format rules for National Insurance numbers, the Royal Mail's for postcodes).

Dates: only a date of birth is redacted, a date written next to a birth cue ("DOB", "d.o.b.",
"date of birth", "born", "b."). Audit notes are full of the dates of visits, reviews,
conferences and supervision: they are what an audit finds (a visit late, a plan out of date),
and without a name, a birth date or an address they point at nobody. A date of birth, with an
age or a school, narrows a child down to a handful. Every other date is still found, so that
a month ("May", "June") in it is never taken for a person's name; it is left as written.

Pure code: no ORM.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import phonenumbers
from stdnum.gb import nhs, upn

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres|place|pl"
    r"|grove|gardens|gdns|terrace|walk|square|sq|hill|rise|mews|view|park|row|green|parade"
    r"|croft|fold|vale|mount|gate|yard|bank|side|boulevard|approach|meadow|meadows|chase"
    r"|wharf|end|heights|estate"
)
_BUILDING_WORDS = r"house|court|tower|lodge|building|mansions|heights|point|block|hall"
_NAME_WORD = r"(?-i:[A-Z][\w'\u2019-]*)"

# The runs of digits in a text (with the separators written inside numbers) are found by one
# pattern that starts with a digit, which the regular expression engine scans for quickly;
# each kind is then tried only where a run is, anchored there, and checked. Kinds that start
# with letters ("LS6 2AB", "AB123456C", "DOB 3 April", "Flat 3") are tried from the letters
# just before the run.
_RUN = re.compile(r"\d(?:[\d/.-]|\ (?=\d))*")
_I = re.IGNORECASE
_NUMERIC_DATE = re.compile(r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})\b")
_DAY_MONTH = re.compile(rf"{_DAY}\s+(?:of\s+)?(?:{_MONTHS})\b\.?(?:,?\s+\d{{4}}\b)?", _I)
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTHS})\.?\s+(?:{_DAY},?\s+)?$", _I)
_DOB_BEFORE = re.compile(
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth|\bborn(?:\s+on)?|\bbirth\s?date|\bb\.)"
    r"\s*(?:is|was|of|on|:|-|\u2013|,)?\s*(?:in\s+)?$",
    _I,
)
_ADDRESS = re.compile(rf"\d{{1,4}}[a-z]?,?\s+(?:{_NAME_WORD}\s+){{1,3}}(?:{_STREET_WORDS})\b", _I)
_FLAT_BEFORE = re.compile(r"\b(?:flat|apartment|apt|unit|room)\s+$", _I)
_FLAT_NUMBER_BEFORE = re.compile(r"\b(?:flat|apartment|apt|unit|room)\s+\d+[a-z]?,?\s+$", _I)
_FLAT = re.compile(rf"\d+[a-z]?(?:,?\s+(?:{_NAME_WORD}\s+){{1,3}}(?:{_BUILDING_WORDS})\b)?", _I)
_NI = re.compile(r"[A-Z]{2}\ ?\d{2}\ ?\d{2}\ ?\d{2}\ ?[A-D]\b", _I)
_UPN = re.compile(r"[A-Z]\d{11}[0-9A-Z]\b", _I)
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?\ ?[0-9][A-Z]{2}\b", _I)
_CHILD_ID_BEFORE = re.compile(
    r"\b(?:child|case|la|lcs|mosaic|liquidlogic|eclipse|client|person)\s*"
    r"(?:id|no\.?|number|ref(?:erence)?)\s*[:#]?\s*$",
    _I,
)
_CHILD_ID = re.compile(r"[A-Z]{0,3}\d{4,}[A-Z]?\b", _I)
_AGE_BEFORE = re.compile(r"(?:(?:\(\s*)?\baged?\s+|\(\s*)$", _I)
_AGE_AFTER = re.compile(r"\s*(?:yrs?|years?(?:\s+old)?|y/?o)?\s*\)?", _I)
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-'")
_EMAIL_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")

PLACEHOLDERS: dict[str, str] = {
    "email": "[email address]",
    "dob": "[date of birth]",
    "address": "[address]",
    "ni_number": "[NI number]",
    "upn": "[UPN]",
    "postcode": "[postcode]",
    "phone": "[phone number]",
    "nhs_number": "[NHS number]",
    "child_id": "[child ID]",
}


class Found(NamedTuple):
    """An identifier (`kind` one of PLACEHOLDERS), or a date left as written (`date`), or an
    age next to which a name is a child's (`age`)."""

    start: int
    end: int
    kind: str


# HMRC: the first letter is not D, F, I, Q, U or V; the second not D, F, I, O, Q, U or V; the
# prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued; the suffix is A, B, C or D.
_NI_FIRST_BAD = frozenset("DFIQUV")
_NI_SECOND_BAD = frozenset("DFIOQUV")
_NI_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def is_ni_number(value: str) -> bool:
    compact = value.replace(" ", "").upper()
    if len(compact) != 9 or not compact[2:8].isdigit() or compact[8] not in "ABCD":
        return False
    first, second = compact[0], compact[1]
    return (
        first.isalpha()
        and second.isalpha()
        and first not in _NI_FIRST_BAD
        and second not in _NI_SECOND_BAD
        and compact[:2] not in _NI_BAD_PREFIXES
    )


# The Royal Mail's postcode shapes: A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA, AA9A 9AA, with
# the letters each position may hold; and GIR 0AA.
_POSTCODE_SHAPE = re.compile(
    r"^(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2}$"
)


def is_postcode(value: str) -> bool:
    upper = value.upper()
    return upper.replace(" ", "") == "GIR0AA" or bool(_POSTCODE_SHAPE.match(upper))


_UK_PHONE_SHAPE = re.compile(r"^0(?:[1-3]\d{8,9}|7\d{9}|8\d{8,9}|9\d{9})$")


def is_phone_number(value: str) -> bool:
    """A United Kingdom telephone number, as phonenumbers' matcher reads it (region GB),
    tried only on what has the shape of one: the matcher takes tens of microseconds a call.
    POSSIBLE rather than VALID: a number in a range not yet allocated (the ones television
    uses) is still somebody's number to a reader, and notes copy numbers with a digit wrong."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.lstrip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")
    if not _UK_PHONE_SHAPE.match(digits):
        return False
    matcher = phonenumbers.PhoneNumberMatcher(value, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    return any(True for _ in matcher)


def find_identifiers(text: str) -> list[Found]:
    """Every identifier that passes its kind's check, every date, every age."""
    found: list[Found] = []
    if "@" in text:
        found += _emails(text)
    done = 0
    for run in _RUN.finditer(text):
        a = run.start()
        if a < done:
            continue
        item = _at_run(text, a, run.end())
        if item is not None:
            found.append(item)
            done = item.end
    # Trailing punctuation is never part of an identifier: "NHS number 684 171 8615." keeps
    # its full stop (a run of digits takes the separators written inside numbers, and so a
    # full stop or hyphen after the last digit).
    return [
        f._replace(end=_end_trimmed(text, f)) if text[f.end - 1] in _TRAILING else f for f in found
    ]


_TRAILING = frozenset(".,;:-/\u2013")


def _end_trimmed(text: str, found: Found) -> int:
    end = found.end
    while end > found.start + 1 and text[end - 1] in _TRAILING:
        end -= 1
    return end


def _at_run(text: str, a: int, b: int) -> Found | None:
    """The identifier, date or age that the run of digits at `a`..`b` belongs to."""
    # Kinds that start with letters just before the digits.
    letters = a
    while letters > 0 and a - letters < 3 and text[letters - 1].isalpha():
        letters -= 1
    if (
        # "AB 12 34 56 C"
        letters == a
        and a >= 3
        and text[a - 1] == " "
        and text[a - 3 : a - 1].isupper()
        and (a == 3 or not text[a - 4].isalnum())
        and (m := _NI.match(text, a - 3))
        and is_ni_number(m.group())
    ):
        return Found(a - 3, m.end(), "ni_number")
    if letters < a and (letters == 0 or not text[letters - 1].isalnum()):
        if (m := _UPN.match(text, letters)) and upn.is_valid(m.group()):
            return Found(letters, m.end(), "upn")
        if (m := _NI.match(text, letters)) and is_ni_number(m.group()):
            return Found(letters, m.end(), "ni_number")
        if (m := _POSTCODE.match(text, letters)) and is_postcode(m.group()):
            return Found(letters, m.end(), "postcode")
        if (m := _CHILD_ID.match(text, letters)) and _CHILD_ID_BEFORE.search(
            text, max(0, letters - 30), letters
        ):
            return Found(letters, m.end(), "child_id")
        return None
    if letters < a:
        return None  # digits inside a word: "Y10", "covid19"
    run = text[a:b]
    if b - a >= 10:
        start = a - 1 if a and text[a - 1] == "+" else a
        value = text[start:b]
        compact = "".join(ch for ch in value if ch.isdigit())
        if len(compact) == 10 and compact[0] != "0" and nhs.is_valid(compact):
            return Found(start, b, "nhs_number")
        if len(compact) >= 10 and is_phone_number(value):
            return Found(start, b, "phone")
        if len(compact) >= 10:
            return None
    # The words just before the run, for the cues that make it a birth date, a flat, an age
    # or a child's ID: each pattern is tried only where its words are.
    window = text[max(0, a - 24) : a].lower() if a else ""
    if (
        b - a >= 4
        and ("id" in window or "no" in window or "number" in window or "ref" in window)
        and (m := _CHILD_ID.match(text, a))
        and _CHILD_ID_BEFORE.search(text, max(0, a - 30), a)
    ):
        return Found(a, m.end(), "child_id")
    date = None
    start = a
    if "/" in run or "." in run or "-" in run:
        date = _NUMERIC_DATE.match(text, a)
    elif b - a <= 2 and b < len(text) and text[b] in " snrtSNRT":
        date = _DAY_MONTH.match(text, a)
    elif b - a == 4 and a >= 4 and text[a - 1] in " ,":
        before = _MONTH_BEFORE.search(text, max(0, a - 20), a)
        if before is not None:
            start = before.start()
            date = _RUN.match(text, a)
    if date is not None:
        end = date.end()
        while end > start and text[end - 1] in ".,":
            end -= 1
        cue = text[max(0, start - 24) : start].lower()
        if (
            ("b" in cue or "d.o" in cue)
            and (
                "dob" in cue
                or "d.o" in cue
                or "d o b" in cue
                or "birth" in cue
                or "b." in cue
                or "born" in cue
            )
            and _DOB_BEFORE.search(text, max(0, start - 24), start)
        ):
            return Found(start, end, "dob")
        return Found(start, end, "date")
    flat_cue = "flat" in window or "ap" in window or "unit" in window or "room" in window
    if b - a <= 5 and b < len(text) and text[b] in " ,abcdefghijklmnopqrstuvwxyz":
        m = _ADDRESS.match(text, a)
        if m is not None:
            # "Flat 3, 12 Acacia Avenue", "Flat 3 12 Acacia Avenue".
            flat = _FLAT_NUMBER_BEFORE.search(text, max(0, a - 20), a) if flat_cue else None
            return Found(flat.start() if flat else a, m.end(), "address")
    if flat_cue and (flat := _FLAT_BEFORE.search(text, max(0, a - 12), a)) is not None:
        m = _FLAT.match(text, a)
        return Found(flat.start(), m.end() if m else b, "address")
    if (
        b - a <= 2
        and ("age" in window[-6:] or window.endswith("(") or window.endswith("( "))
        and (age := _AGE_BEFORE.search(text, max(0, a - 6), a)) is not None
    ):
        after = _AGE_AFTER.match(text, b)
        return Found(age.start(), after.end() if after else b, "age")
    return None


def _emails(text: str) -> list[Found]:
    found = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and text[start - 1] in _EMAIL_LOCAL:
            start -= 1
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if start < at and domain is not None:
            found.append(Found(start, domain.end(), "email"))
            at = text.find("@", domain.end())
        else:
            at = text.find("@", at + 1)
    return found
