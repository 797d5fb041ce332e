"""The redaction engine.

One pass of one Aho-Corasick automaton over the text, lower-cased and with every character
that is not a letter or a digit turned into a space (the same length, so offsets hold), finds
at once: the known staff names in every form people write them, the children's case IDs the
council holds, the first names and surnames of the name lists, and the context words that
tell whose name follows ("mother", "Mrs", "her brother") or precedes ("Kayden's mum"). Each
key is stored with a space on either side and the text is read with a space on either side,
so a key matches only as whole words, with no check per match. Identifiers are found around
the runs of digits in the text (`identifiers.py`) and by one pattern for e-mail addresses.

Known staff names are redacted wherever they occur as words, even when the name is also an
ordinary word ("Will Hope", "Bill May": every "will", "hope", "bill" and "may" becomes a
placeholder). A reader can work out a colleague from a first name left in place, and a
publishing rule that refuses text while a known name remains has to see the same forms as
the redaction, so for staff recall comes first and a few words redacted more than needed is
the price; a reviewer can undo one (a kept string), except a staff name, which stays redacted.
Initials are the exception that keeps its case: "SJ" and "S.J." count only in capitals, and
initials that spell one of the abbreviations of social work ("SW", "TM", "GP", "CP", "LA") or
an English word ("OF", "AT", "SAT") never count: "the SW visited" names a role, not Sophie
Wells, and "NO FURTHER ACTION" is a heading, not Nadia Osei.

Names from the name lists are redacted when written capitalised. A list name that is also an
ordinary word ("Hope", "Grace", "Will", "May") counts only capitalised and not as a sentence's
first word, or with a context cue ("Mrs May", "her sister Grace"); words that are never a name
in an audit note without a cue ("Court", "School", "June") count only with one.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import ahocorasick
from django.db import connection, models

from auditloop.learning.redaction import identifiers
from auditloop.learning.redaction.names import (
    NAME_BEFORE_VERBS,
    NOT_A_SPEAKER,
    PROFESSIONAL_CUES,
    RELATIONS_AFTER,
    RELATIONS_BEFORE,
    TITLES,
    VERBS_BEFORE_NAME,
    person_name_lists,
)

# The label of the product's own words (theme names, question and section titles, team and
# service names): never redacted, and never a person inside them.
VOCABULARY = "vocabulary"

STAFF_PLACEHOLDER: dict[str, str] = {
    "practitioner": "[social worker]",
    "team_manager": "[team manager]",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    placeholder: str


@dataclass(frozen=True)
class Redaction:
    text: str
    redacted: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class KnownName:
    """A name (or identifier) the product knows, the label it is redacted with, and its
    placeholder. A `staff` name is expanded into every form people write it (first name,
    surname, possessive, initials...); any other label is matched as written."""

    text: str
    label: str
    placeholder: str


# Every character that is not a letter or a digit reads as a space; the text keeps its length.
# ASCII text (most notes) is lower-cased and spaced by one bytes translation.
_ASCII_FOLD = (
    bytes((c + 32 if 65 <= c <= 90 else c) if chr(c).isalnum() else 32 for c in range(256))[:128]
    + b" " * 128
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")

# Initials that spell an abbreviation of social work or everyday writing: never a name.
_ABBREVIATIONS = frozenset(
    """
    SW SWS TM TMS GP CP LA LAC CLA CIN CP CPP IRO YP PA DV DA NFA OK UK NI IT ID AM PM EH
    EHA EHC EHCP SEN SEND ADHD ASD PE RE HV MH ED AE BC CSE CCE FGC PLO ICPC RCPC SGO CAMHS
    NHS DBS MP PC DS DC DI HR QA SM SMT HOS AD DCS TAC TAF MASH FM MA MR MS DR ST NB PS AKA
    TBC
    """.split(),  # noqa: SIM905
)
_PLACEHOLDER_TOKEN = re.compile(r"\[[a-zA-Z ]{2,30}\]")
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_SENTENCE_ENDS = frozenset(".!?;:\n\r•*\u2013-|>")
_SKIPPED_BEFORE = frozenset(" \t\"'“\u2018([")

# Automaton values: (key length with its two spaces, staff, child ID, name flags, cue before,
# cue after). Staff: (placeholder, the form in capitals it must have, or ""). A staff form
# matched in any case is redacted whatever else its key is, so its value is only
# (key length less one, placeholder): the scan's commonest match costs one length check.
_NAME_FIRST = 1
_NAME_LAST = 2
_NAME_WORD = 4

type _Value = tuple[int, tuple[str, str] | None, bool, int, tuple[str, bool] | None, str | None]
# A candidate span: start, end, label, placeholder.
type _Cand = tuple[int, int, str, str]


def _fold(text: str) -> str:
    """Lower-cased, every other character a space, the same length as `text`."""
    folded = text.encode("ascii", "replace").translate(_ASCII_FOLD).decode("ascii")
    if text.isascii():
        return folded
    # Each character outside ASCII was one "?" (now a space): put back the letters, lower-cased
    # one for one ("İ" lower-cases into two characters; its first is kept so offsets hold).
    parts: list[str] = []
    at = 0
    for match in _NON_ASCII.finditer(text):
        start, end = match.span()
        parts.append(folded[at:start])
        parts.append("".join(ch.lower()[:1] if ch.isalnum() else " " for ch in match.group()))
        at = end
    parts.append(folded[at:])
    return "".join(parts)


def _key(text: str) -> str:
    """The automaton's key for a name as written: folded, single spaces, a space each side."""
    return " " + " ".join(_fold(text).split()) + " "


_SHORT_WORDS = frozenset(
    """
    a am an and any are as at be but by can day did do for go had has he her him his how if
    in is it its let man me mum my new no nor not now of off oh old on one or our out own
    put say see she so the to too two up us use was way we who why yes yet you
    """.split()  # noqa: SIM905
)


@cache
def _english_words() -> frozenset[str]:
    from faker.providers.lorem.en_US import Provider as EnglishWords

    return frozenset(w.lower() for w in EnglishWords.word_list) | _SHORT_WORDS


def _is_word(letters: str) -> bool:
    """Whether initials spell an English word ("OF", "AT", "SAT"): in capitals they are far
    more often a heading's word than someone's initials."""
    return letters.lower() in _english_words()


def _staff_forms(name: str) -> dict[str, str]:
    """Every form a staff name is written in, as {key: required capitals or ""}."""
    words = _TOKEN.findall(name)
    # Titles are not part of a name.
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        words = words[1:]
    if not words:
        return {}
    forms: dict[str, str] = {}
    parts = [part for word in words for part in re.split(r"['\u2019-]", word) if part]

    def add(form: str, capitals: str = "") -> None:
        # `capitals`: the letters the form must have as written, for forms that are words
        # in lower case ("SJ" is initials, "sj" is not).
        put(_key(form), capitals)

    def put(key: str, capitals: str) -> None:
        # A form matched as written in any case beats the same form needing capitals.
        if len(key.strip()) >= 2 and (key not in forms or (forms[key] and not capitals)):
            forms[key] = capitals

    add(" ".join(words))
    for word in words:
        add(word)  # each name alone; a hyphenated surname whole
    for part in parts:
        add(part)  # and in parts
    first, last = words[0], words[-1]
    if len(words) > 1:
        add(f"{first} {last}")
        for part in re.split(r"['\u2019-]", last):
            if part:
                add(f"{first} {part}")
        # "S. Jones", "S Jones", "Sarah J", "S J Jones".
        add(f"{first[0]} {last}")
        # "S. Jones": the full stop reads as a space, so two spaces.
        put(" " + _fold(first[0]) + "  " + " ".join(_fold(last).split()) + " ", "")
        add(f"{first} {last[0]}", capitals=f"{first}{last[0]}")
        initials = [w[0].upper() for w in words]
        last_parts = [p[0].upper() for p in re.split(r"['\u2019-]", last) if p]
        every = {"".join(initials), initials[0] + initials[-1], initials[0] + "".join(last_parts)}
        every |= {initials[0] + part for part in last_parts}
        every.add("".join(initials[:-1]) + "".join(last_parts))
        # "BMcG", "JMacD": the initials people write for a Mc or Mac surname.
        for prefix in ("Mc", "Mac"):
            if last.startswith(prefix) and len(last) > len(prefix) and last[len(prefix)].isupper():
                every.add(initials[0] + prefix + last[len(prefix)])
        for letters in every:
            if len(letters) >= 2 and letters not in _ABBREVIATIONS and not _is_word(letters):
                add(letters, capitals=letters)  # "SJ"
                add(" ".join(letters), capitals=letters)  # "S.J.", "S J"
                put(" " + "  ".join(letters).lower() + " ", letters)  # "S. J."
    folded = _ascii(name)
    if folded != name:
        # "Zoë" is also written "Zoe", "Gráinne" "Grainne".
        for key, capitals in _staff_forms(folded).items():
            put(key, capitals)
    return forms


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_MONTH_WORDS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)


@cache
def _base_entries() -> dict[str, _Value]:
    """The automaton's entries every redactor shares: the name lists' first names and
    surnames, and the context cues. Built once per process."""
    lists = person_name_lists()
    values: dict[str, list[object]] = {}

    def slot(key: str) -> list[object]:
        entry = values.get(key)
        if entry is None:
            entry = values[key] = [len(key), None, False, 0, None, None]
        return entry

    for name in lists.first | lists.last:
        if name in lists.never_alone:
            # Counts only after a cue, which finds it by itself: no entry of its own, so the
            # scan never handles it ("child", "court", "plan" are in the name lists).
            continue
        flags = (_NAME_FIRST if name in lists.first else 0) | (
            _NAME_LAST if name in lists.last else 0
        )
        if name in lists.words:
            flags |= _NAME_WORD
        slot(_key(name))[3] = flags
    for cue, placeholder in TITLES.items():
        slot(_key(cue))[4] = (placeholder, True)
    for cue, placeholder in RELATIONS_BEFORE.items():
        slot(_key(cue))[4] = (placeholder, False)
    for cue, placeholder in RELATIONS_AFTER.items():
        slot(_key(cue))[5] = placeholder
    # Verb cues: an empty placeholder ("whose name is not said"), the name's own elsewhere
    # in the text or "[person]".
    for verb in VERBS_BEFORE_NAME:
        slot(_key(verb))[4] = ("", False)
    for verb in NAME_BEFORE_VERBS:
        slot(_key(verb))[5] = ""
    return {key: tuple(entry) for key, entry in values.items()}  # type: ignore[misc]


class Redactor:
    """Redacts the names it was given and the identifiers and person names it recognises.

    Build one per set of known names (`redactor_for_database()` keeps one per process while
    the staff list and case list are unchanged) and call `redact` as often as needed: it is
    read-only, so one redactor serves every thread."""

    def __init__(self, known: Iterable[KnownName]) -> None:
        lists = person_name_lists()
        base = _base_entries()
        # Only the entries the known names touch are copied from the shared base.
        values: dict[str, list[object]] = {}

        def slot(key: str) -> list[object]:
            entry = values.get(key)
            if entry is None:
                shared = base.get(key)
                entry = values[key] = (
                    list(shared) if shared is not None else [len(key), None, False, 0, None, None]
                )
            return entry

        self._others: dict[str, tuple[str, str]] = {}
        self._vocabulary: set[str] = set()
        for known_name in known:
            if known_name.label == "staff":
                for key, capitals in _staff_forms(known_name.text).items():
                    entry = slot(key)
                    current = entry[1]
                    # A form written freely beats one that needs capitals; the first role
                    # to claim a form keeps it.
                    if current is None or (current[1] and not capitals):  # type: ignore[index]
                        entry[1] = (known_name.placeholder, capitals)
            elif known_name.label == "identifier:child_id":
                key = _key(known_name.text)
                if len(key.strip()) >= 2:
                    slot(key)[2] = True
            elif known_name.label == VOCABULARY:
                key = _key(known_name.text)
                word = key.strip()
                # A one-word entry that is a first name ("Hope", "Grace" as a theme) would hide
                # every child of that name: only phrases and words that are not first names.
                if len(word) >= 3 and (" " in word or word not in lists.first):
                    self._vocabulary.add(key)
                    slot(key)
            else:
                key = _key(known_name.text)
                if len(key.strip()) >= 2:
                    self._others[key] = (known_name.label, known_name.placeholder)
        for key, (_label, _placeholder) in self._others.items():
            slot(key)

        self._automaton = ahocorasick.Automaton()
        add = self._automaton.add_word
        for key, shared in base.items():
            if key not in values:
                add(key, shared)
        for key, entry in values.items():
            staff = entry[1]
            if staff is not None and not staff[1]:  # type: ignore[index]
                add(key, (len(key) - 1, staff[0]))  # type: ignore[index]
            else:
                add(key, tuple(entry))
        self._automaton.make_automaton()
        self._lists = lists

    # -- names ---------------------------------------------------------------------------

    def _scan(self, text: str, ages: list[identifiers.Found]) -> tuple[list[_Cand], list[_Cand]]:
        """Staff names, known IDs and other known strings; and person names (`ages`: where
        an age is written, after which the name before it is a child's)."""
        padded = " " + _fold(text) + " "
        found: list[_Cand] = []
        person: list[tuple[int, int, str, bool]] = []  # start, end, placeholder, cued
        names: list[tuple[int, int, int]] = []
        after_cues: list[tuple[int, str]] = []
        # Where a cue says whose a name is: (the name's start, the cue's start or -1 for an
        # age, placeholder).
        cue_names: list[tuple[int, int, str]] = []
        verbs: list[int] = []  # "said", "told"...: the name before it speaks
        seen: list[int] = []  # "saw", "visited"...: where the name after it would start
        vocabulary_at: list[tuple[int, int]] = []
        others = self._others
        vocabulary = self._vocabulary
        # "Kayden's mum" needs an apostrophe before the cue.
        possessive = "'" in text or "\u2019" in text
        add = found.append
        for last, value in self._automaton.iter(padded):
            if len(value) == 2:
                add((last - value[0], last - 1, "staff", value[1]))
                continue
            length, staff, child_id, flags, before, after = value
            start = last - length + 1
            end = last - 1
            if staff is not None:
                capitals = staff[1]
                if (
                    not capitals
                    or text[start:end] == capitals
                    or _letters(text[start:end]) == capitals
                ):
                    add((start, end, "staff", staff[0]))
                    continue
            if child_id:
                add((start, end, "identifier:child_id", "[child ID]"))
                continue
            if vocabulary and padded[start : last + 1] in vocabulary:
                vocabulary_at.append((start, end))
            if others and (other := others.get(padded[start : last + 1])) is not None:
                found.append((start, end, other[0], other[1]))
            if flags and text[start].isupper():
                names.append((start, end, flags))
            if before is not None:
                if text[end : end + 1] == " " and text[end + 1 : end + 2].islower():
                    cued = None  # "mum said": no name follows (the check `_after_cue` begins with)
                elif not before[0]:
                    # "saw Maisie alone": looked at once the staff names are known.
                    seen.append(end)
                    cued = None
                else:
                    cued = self._after_cue(text, end, before)
                if cued is not None:
                    person.append(cued)
                    # A title's span ("Ms Roberts") is longer than the staff surname in it
                    # and wins as it is: "[person]".
                    if not before[1]:
                        cue_names.append((cued[0], start, before[0]))
                elif before[0] and not before[1]:
                    # "Frank (father)", "Dawn, the maternal grandmother".
                    word = _word_in_apposition(text, start)
                    if word is not None and self._may_be_cued(text, word):
                        person.append((word[0], word[1], before[0], True))
            if after is not None:
                if not after:
                    verbs.append(start)
                elif possessive:
                    # The check `_word_before` begins with: "'s" or "'" before the cue.
                    at = start - 1
                    while at >= 0 and text[at] == " ":
                        at -= 1
                    if at >= 0 and text[at] in "sS'\u2019":
                        after_cues.append((start, after))

        if not (person or names or after_cues or ages or verbs or seen):
            return found, []
        staff_at = {c[:2] for c in found if c[2] == "staff"}
        staff_starts = {at[0] for at in staff_at}
        for start, placeholder in after_cues:
            # "Kayden's mum": Kayden is a child.
            word = _word_before(text, start, possessive=True)
            if word is not None and word[0] not in staff_starts and self._may_be_cued(text, word):
                person.append((word[0], word[1], placeholder, True))
        for age in ages:
            # "Oluwaseun (aged 7)", "Riley, aged 15".
            word = _word_before(text, age.start, possessive=False)
            if word is None:
                continue
            if word[0] in staff_starts:
                cue_names.append((word[0], -1, "[child]"))
            elif self._may_be_cued(text, word):
                person.append((word[0], word[1], "[child]", True))
        if verbs or seen:
            # A name the lists find by themselves needs no verb: only the others are checked.
            listed = {(s, e) for s, e, flags in names if not flags & _NAME_WORD}
            listed_starts = {at[0] for at in listed}
            taken_ends = {at[1] for at in listed} | {at[1] for at in staff_at}
            for start in verbs:
                # "Ruby said", "Lily told the auditor": one space between, no article before.
                if (
                    start < 2
                    or text[start - 1] != " "
                    or not text[start - 2].isalpha()
                    or start - 1 in taken_ends
                ):
                    continue
                word = _word_before(text, start, possessive=False, spaces=1)
                if (
                    word is not None
                    and word[0] not in staff_starts
                    and word not in listed
                    and self._may_speak(text, word)
                ):
                    person.append((word[0], word[1], "", True))
            for at in seen:
                if at + 1 in staff_starts or at + 1 in listed_starts:
                    continue
                cued = self._after_cue(text, at, ("", False))
                if (
                    cued is not None
                    and cued[0] not in staff_starts
                    and self._may_speak(text, cued[:2])
                ):
                    person.append(cued)
        if cue_names and staff_starts:
            # A profession's cue ("the IRO Anne") may name a colleague: the role stays.
            cue_names = [
                c
                for c in cue_names
                if c[0] in staff_starts
                and (c[1] < 0 or _fold(text[c[1] : c[0]]).strip() not in PROFESSIONAL_CUES)
            ]
            if cue_names:
                found = _cued_staff(text, found, cue_names)
        for start, end, flags in names:
            if (start, end) in staff_at:
                continue
            if end - start > 1 and text[start + 1].isupper():
                continue  # "SMART", "HOPE": headings and abbreviations, not names
            if start >= 3 and text[start - 3 : start] in ("St ", "St."):
                continue  # "St Mary's": a place
            if flags & _NAME_WORD and _starts_sentence(text, start):
                continue
            person.append((start, end, "", False))
        if vocabulary_at and person:
            # The product's own words ("Drift and delay", "Voice of the child") are nobody.
            person = [p for p in person if not _inside(p, vocabulary_at)]
        if not person:
            return found, []
        people = self._people(text, person, staff_starts)
        if vocabulary_at:
            people = [p for p in people if not _inside(p, vocabulary_at)]
        return found, people

    def _may_speak(self, text: str, word: tuple[int, int]) -> bool:
        """Whether the capitalised word next to a verb of speech or sight ("Ruby said", "saw
        Maisie") is a name: not an abbreviation, a pronoun, a relation ("Mum said"), a title, a
        word of social work ("Court said", "School told") or an English word that is no name
        ("Everyone said"), and not after an article or a possessive ("the Judge said")."""
        token = text[word[0] : word[1]]
        lowered = token.lower().removesuffix("'s").removesuffix("\u2019s")
        lists = self._lists
        if token.isupper() or lowered in NOT_A_SPEAKER:
            return False
        if lowered in RELATIONS_BEFORE or lowered in RELATIONS_AFTER or lowered in TITLES:
            return False
        if lowered in lists.never_alone and lowered not in lists.first:
            return False
        if lowered in _english_words() and lowered not in lists.first and lowered not in lists.last:
            return False
        if word[0] >= 3 and text[word[0] - 3 : word[0]] in ("St ", "St."):
            return False
        previous = _word_before_any(text, word[0])
        return previous not in _APPOSITION_WORDS and previous not in _DETERMINERS

    def _may_be_cued(self, text: str, word: tuple[int, int]) -> bool:
        """Whether a capitalised word a cue points at may be a name: not an abbreviation
        ("Child ID"), nor a word of social work ("Court") unless it is also a first name
        ("June")."""
        token = text[word[0] : word[1]]
        lowered = token.lower()
        if token.isupper() and len(token) <= 3:
            return False
        return lowered not in self._lists.never_alone or lowered in self._lists.first

    def _after_cue(
        self, text: str, cue_end: int, before: tuple[str, bool]
    ) -> tuple[int, int, str, bool] | None:
        """The name a cue introduces: "Mrs Khan", "mother, Kelly", "her brother Tyler"."""
        placeholder, is_title = before
        at = cue_end
        limit = min(len(text), cue_end + 4)
        while at < limit and text[at] in " .,:(\t":
            at += 1
        if at >= len(text) or not text[at].isupper():
            return None
        match = _TOKEN.match(text, at)
        if match is None or not match.group()[0].isupper():
            return None
        token = match.group().lower()
        if token in self._lists.never_alone and token not in self._lists.first:
            return None
        if match.group().isupper() and len(token) <= 3:
            return None  # "Child ID", "mother (DV)": an abbreviation, not a name
        if is_title:
            # The title is part of what is redacted: "Mrs [person]" still says who.
            start = cue_end
            while start > 0 and text[start - 1].isalpha():
                start -= 1
            return (start, match.end(), placeholder, True)
        return (match.start(), match.end(), placeholder, True)

    def _people(
        self, text: str, person: list[tuple[int, int, str, bool]], staff_starts: set[int]
    ) -> list[_Cand]:
        lists = self._lists
        # Names a cue placed (a child's, a parent's) take that placeholder wherever they occur.
        roles: dict[str, str] = {}
        for start, end, placeholder, cued in person:
            if cued and placeholder:
                word = text[start:end]
                first = word.split()[-1] if " " in word else word
                roles.setdefault(first, placeholder)
        length = len(text)
        extra: list[tuple[int, int, str, bool]] = []
        listed = {(s, e) for s, e, _p, _c in person}
        for word in roles:
            if len(word) < 2:
                continue
            at = text.find(word)
            while at != -1:
                end = at + len(word)
                if (
                    (at == 0 or not text[at - 1].isalnum())
                    and (end == len(text) or not text[end].isalnum())
                    and (at, end) not in listed
                ):
                    extra.append((at, end, roles[word], True))
                at = text.find(word, end)
        spans: list[_Cand] = []
        for start, end, placeholder, _cued in person + extra:
            # Extend over the rest of a name: "Kayden Smith", "Mrs Adeyemi-Okafor".
            # A space or hyphen, then a capitalised word (the check before the pattern).
            while end + 1 < length and text[end] in " -" and text[end + 1].isupper():
                match = _TOKEN.match(text, end + 1)
                if match is None:
                    break
                token = match.group().lower()
                if token in lists.never_alone:
                    break
                # A known staff name next to a person's is the worker's, unless joined by a
                # hyphen into one surname ("Begum-Ali").
                if match.start() in staff_starts and "-" not in match.group():
                    break
                end = match.end()
            # And over a first name written before a surname: "Oluwaseun Smith".
            if start >= 2 and text[start - 1] == " " and text[start - 2].isalpha():
                previous = _word_before(text, start - 1, possessive=False, spaces=0)
                if previous is not None and previous[0] not in staff_starts:
                    lowered = text[previous[0] : previous[1]].lower()
                    if (
                        lowered not in lists.never_alone
                        and (lowered not in lists.words or lowered in lists.first)
                        and lowered.rstrip(".") not in TITLES
                    ):
                        start = previous[0]
            if not placeholder:
                placeholder = next(
                    (roles[w] for w in text[start:end].split() if w in roles), "[person]"
                )
            spans.append((start, end, "person", placeholder))
        return spans

    # -- the whole text ------------------------------------------------------------------

    def redact(
        self, text: str, *, added: Iterable[tuple[str, str]] = (), kept: Iterable[str] = ()
    ) -> Redaction:
        """`added`: (string, label) pairs a reviewer redacts as well, wherever they occur;
        `kept`: strings the reviewer judged not identifying, left as written unless they are
        a known staff name (those are always redacted)."""
        ages: list[identifiers.Found] = []
        dates: list[identifiers.Found] = []
        found: list[_Cand] = []
        # Identifiers all hold a digit or an "@": a note with neither has none.
        if "@" in text or _HAS_DIGIT(text):
            for f in identifiers.find_identifiers(text):
                if f.kind == "date":
                    dates.append(f)
                elif f.kind == "age":
                    ages.append(f)
                else:
                    found.append(
                        (f.start, f.end, _IDENTIFIER_LABELS[f.kind], _PLACEHOLDERS[f.kind])
                    )
        known, people = self._scan(text, ages)
        candidates = known + people if people else known
        if dates:
            # A date left as written: a month in it is neither a person's name nor, for a
            # worker called May, a staff name ("3 May 2024" is a day).
            months = _MONTH_WORDS
            candidates = [
                c
                for c in candidates
                if c[1] - c[0] > 9
                or c[1] - c[0] < 3
                or text[c[0] : c[1]].lower() not in months
                or not _in_any(c, dates)
            ]
        if found:
            candidates += found
        lowered = None
        for extra, label in added:
            needle = extra.strip().lower()
            if not needle:
                continue
            lowered = lowered or text.lower()
            start = lowered.find(needle)
            while start != -1:
                candidates.append((start, start + len(needle), label, placeholder_for(label)))
                start = lowered.find(needle, start + len(needle))
        keep = {k.strip().lower() for k in kept if k.strip()}
        if keep:
            candidates = [
                c for c in candidates if c[2] == "staff" or text[c[0] : c[1]].lower() not in keep
            ]
        if "[" in text:
            # A placeholder already in the text ("[child]") is never redacted again.
            marks = [(m.start(), m.end()) for m in _PLACEHOLDER_TOKEN.finditer(text)]
            if marks:
                candidates = [
                    c for c in candidates if not any(a <= c[0] and c[1] <= b for a, b in marks)
                ]
        return _apply(text, candidates)


def _by_length(candidate: _Cand) -> tuple[int, bool, int]:
    # Longest first, a known staff name first among equals, then in order of the text.
    return (candidate[0] - candidate[1], candidate[2] != "staff", candidate[0])


def _apply(text: str, candidates: list[_Cand]) -> Redaction:
    """Chooses among overlapping candidates the longest first (a known staff name first
    among equals) and builds the redacted text, in one pass over the candidates in order."""
    candidates.sort()
    chosen: list[_Cand] = []
    cluster: list[_Cand] | None = None  # overlapping candidates, with chosen[-1] first
    cluster_end = -1
    for candidate in candidates:
        start, end = candidate[0], candidate[1]
        if end <= start:
            continue
        if start < cluster_end:
            if cluster is None:
                cluster = [chosen.pop()]
            cluster.append(candidate)
            if end > cluster_end:
                cluster_end = end
            continue
        if cluster is not None:
            chosen += _longest_first(cluster, cluster_end)
            cluster = None
        chosen.append(candidate)
        cluster_end = end
    if cluster is not None:
        chosen += _longest_first(cluster, cluster_end)
    parts: list[str] = []
    spans: list[Span] = []
    at = 0
    new = object.__new__
    for candidate in chosen:
        parts.append(text[at : candidate[0]])
        parts.append(candidate[3])
        at = candidate[1]
        # Span(*candidate) without the frozen dataclass's four checked assignments.
        span = new(Span)
        fields = span.__dict__
        fields["start"], fields["end"], fields["label"], fields["placeholder"] = candidate
        spans.append(span)
    if not parts:
        return Redaction(text, text, ())
    parts.append(text[at:])
    return Redaction(text, "".join(parts), tuple(spans))


def _longest_first(cluster: list[_Cand], cluster_end: int) -> list[_Cand]:
    """Overlapping candidates: the longest is chosen, then the longest of those that do not
    overlap what is chosen, and so on; in order of the text."""
    best = min(cluster, key=_by_length)
    if best[0] == cluster[0][0] and best[1] == cluster_end:
        # The longest covers the others ("Sarah Jones" over "Sarah" and "Jones"): it alone.
        return [best]
    cluster.sort(key=_by_length)
    chosen: list[_Cand] = []
    for candidate in cluster:
        start, end = candidate[0], candidate[1]
        for other in chosen:
            if start < other[1] and other[0] < end:
                break
        else:
            chosen.append(candidate)
    chosen.sort()
    return chosen


_HAS_DIGIT = re.compile(r"\d").search
_PLACEHOLDERS = identifiers.PLACEHOLDERS
_IDENTIFIER_LABELS = {kind: f"identifier:{kind}" for kind in _PLACEHOLDERS}


def _in_any(candidate: _Cand, dates: list[identifiers.Found]) -> bool:
    return any(d.start <= candidate[0] and candidate[1] <= d.end for d in dates)


_NAME_INSIDE = frozenset("'\u2019-")


def _word_before(
    text: str, at: int, *, possessive: bool, spaces: int = 40
) -> tuple[int, int] | None:
    """The capitalised word that ends just before `at` (after at most `spaces` spaces,
    commas or an opening bracket; with `possessive`, followed by "'s" or "'")."""
    i = at
    floor = max(0, at - spaces)
    if possessive:
        while i > floor and text[i - 1] == " ":
            i -= 1
        if i >= 2 and text[i - 1] in "sS" and text[i - 2] in "'\u2019":
            i -= 2
        elif i >= 1 and text[i - 1] in "'\u2019":
            i -= 1
        else:
            return None
    else:
        while i > floor and text[i - 1] in " ,(\t":
            i -= 1
    end = i
    while i > 0 and (
        text[i - 1].isalpha() or (text[i - 1] in _NAME_INSIDE and i > 1 and text[i - 2].isalpha())
    ):
        i -= 1
    if i == end or not text[i].isupper() or (i > 0 and text[i - 1].isalnum()):
        return None
    return (i, end)


_APPOSITION_WORDS = frozenset({"the", "her", "his", "their", "a", "an"})
_DETERMINERS = frozenset({"this", "that", "these", "those", "my", "your", "our", "its", "every"})


def _word_before_any(text: str, at: int) -> str:
    """The word (lower-cased) just before `at`, past spaces; "" if none."""
    end = at
    while end > 0 and text[end - 1] == " ":
        end -= 1
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:end].lower()


def _inside(span: tuple[int, int, str, bool] | _Cand, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= span[0] and span[1] <= b for a, b in ranges)


def _single_part(word: str) -> bool:
    """A first name alone or a surname alone ("Kelly", "Rahman-Patel"), not a full name nor
    initials ("SJ", "S. Jones")."""
    return " " not in word and "." not in word and not word.isupper()


def _cued_staff(
    text: str, found: list[_Cand], cue_names: list[tuple[int, int, str]]
) -> list[_Cand]:
    """A part of a staff member's name that a cue says is someone else's ("his mum Kelly",
    "Ms Roberts", "Kelly (aged 7)") is still redacted as a staff name (a reader could still
    work out the colleague from it), but with the cue's placeholder: "[team manager]" would
    tell the reader something false about the family. Two single parts of different staff
    members side by side ("mum Kelly Smith") are one name: one placeholder for the pair. A
    full staff name keeps its role: a cue before it is more likely a heading's word."""
    longest: dict[int, _Cand] = {}
    for c in found:
        if c[2] == "staff" and (c[0] not in longest or c[1] > longest[c[0]][1]):
            longest[c[0]] = c
    replaced: set[tuple[int, int]] = set()
    added: list[_Cand] = []
    for name_start, _cue, placeholder in cue_names:
        first = longest.get(name_start)
        if first is None or not _single_part(text[first[0] : first[1]]):
            continue
        end = first[1]
        replaced.add((first[0], end))
        second = longest.get(end + 1) if text[end : end + 1] == " " else None
        if second is not None and _single_part(text[second[0] : second[1]]):
            replaced.add((second[0], second[1]))
            end = second[1]
        added.append((name_start, end, "staff", placeholder))
    if not added:
        return found
    return [c for c in found if c[2] != "staff" or (c[0], c[1]) not in replaced] + added


def _word_in_apposition(text: str, cue_start: int) -> tuple[int, int] | None:
    """The name a relation describes after it: "Frank (father)", "Dawn, the maternal
    grandmother"."""
    at = cue_start
    while at > 0 and text[at - 1] == " ":
        at -= 1
    if at and text[at - 1] == "(":
        return _word_before(text, at - 1, possessive=False, spaces=2)
    comma = text.rfind(", ", max(0, cue_start - 32), cue_start)
    if comma == -1:
        return None
    between = text[comma + 2 : cue_start].split()
    if not 1 <= len(between) <= 2 or between[0] not in _APPOSITION_WORDS:
        return None
    if len(between) == 2 and not between[1].islower():
        return None
    return _word_before(text, comma, possessive=False, spaces=0)


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _starts_sentence(text: str, start: int) -> bool:
    at = start - 1
    while at >= 0 and text[at] in _SKIPPED_BEFORE:
        at -= 1
    return at < 0 or text[at] in _SENTENCE_ENDS


def known_staff_spans(redactor: Redactor, text: str) -> list[Span]:
    """The known staff names still in `text`: publishing is refused while there is one."""
    return [s for s in redactor.redact(text).spans if s.label == "staff"]


def placeholder_for(label: str) -> str:
    """The placeholder for a label a reviewer chose: `[staff member]`, `[person]`, or the
    identifier's kind (`identifier:postcode` -> `[postcode]`)."""
    if label == "staff":
        return "[staff member]"
    if label == "person":
        return "[person]"
    kind = label.partition(":")[2] or "identifier"
    return f"[{kind.replace('_', ' ')}]"


def known_names_from_database() -> list[KnownName]:
    """The names the product knows: every staff member's (current and former, placeholder by
    role), the workers named by the case-list imports that match no staff member, and the
    children's case IDs. Each staff name is expanded into its forms by the `Redactor`."""
    from auditloop.accounts.models import StaffMember
    from auditloop.cases.models import ChildCase

    known: list[KnownName] = []
    for name, role in StaffMember.objects.order_by("pk").values_list("name", "role"):
        known.append(KnownName(name, "staff", STAFF_PLACEHOLDER.get(role, "[staff member]")))
    workers = (
        ChildCase.objects.exclude(allocated_worker_name="")
        .values_list("allocated_worker_name", flat=True)
        .distinct()
    )
    for name in sorted(workers):
        known.append(KnownName(name, "staff", "[social worker]"))
    for child_id in ChildCase.objects.values_list("la_child_id", flat=True).iterator(10000):
        known.append(KnownName(child_id, "identifier:child_id", "[child ID]"))
    known += [KnownName(phrase, VOCABULARY, "") for phrase in _vocabulary_from_database()]
    return known


def _vocabulary_from_database() -> list[str]:
    """The product's own words, which texts that leave an audit quote (a key message's
    "Themes most often raised as a concern: Drift and delay", its figures by domain, a team
    page's heading): theme names, the audit tools' names, section titles and question texts,
    and the names of teams and services."""
    from auditloop.accounts.models import Service, Team
    from auditloop.audits.models import AuditTool, Question, Section
    from auditloop.learning.models import Theme

    phrases: set[str] = set()
    phrases.update(Theme.objects.values_list("name", flat=True))
    phrases.update(AuditTool.objects.values_list("name", flat=True))
    phrases.update(Section.objects.values_list("title", flat=True).distinct())
    phrases.update(Question.objects.values_list("text", flat=True).distinct())
    phrases.update(Team.objects.values_list("name", flat=True).distinct())
    phrases.update(Service.objects.values_list("name", flat=True))
    return sorted(p for p in phrases if p and p.strip())


_cache_lock = threading.Lock()
_cached: tuple[tuple[object, ...], Redactor] | None = None


def _database_fingerprint() -> tuple[object, ...]:
    """Something cheap that changes whenever the known names may have: the staff list as it is
    (a few thousand short rows) and the case list's count, highest key and latest change
    (every import and every edit of a case file sets `updated_at`)."""
    from auditloop.accounts.models import Service, StaffMember, Team
    from auditloop.audits.models import Question, Section
    from auditloop.cases.models import ChildCase
    from auditloop.learning.models import Theme

    staff = hash(tuple(StaffMember.objects.order_by("pk").values_list("pk", "name", "role")))
    cases = ChildCase.objects.aggregate(
        count=models.Count("pk"), top=models.Max("pk"), changed=models.Max("updated_at")
    )
    # The vocabulary: themes, teams and services are short lists renamed in place; sections
    # and questions belong to tool versions, added rather than edited.
    words = hash(
        (
            tuple(Theme.objects.order_by("pk").values_list("pk", "name")),
            tuple(Team.objects.order_by("pk").values_list("pk", "name")),
            tuple(Service.objects.order_by("pk").values_list("pk", "name")),
            tuple(Section.objects.aggregate(n=models.Count("pk"), top=models.Max("pk")).values()),
            tuple(Question.objects.aggregate(n=models.Count("pk"), top=models.Max("pk")).values()),
        )
    )
    return (connection.alias, connection.settings_dict.get("NAME"), staff, words, *cases.values())


def redactor_for_database() -> Redactor:
    """A redactor that knows the names in the database in use, as they are now, and the
    product's own words (theme names, question and section titles, team and service names:
    a person's name found inside one of them is dropped, "Drift and delay" names nobody).
    Staff names still win inside the vocabulary: a team called after its manager ("Kelly
    Brown's team") names her, and a publishing rule that refuses text while a known staff name
    remains must see every one; identifiers too are redacted wherever they are. Built once
    and kept for the process while the staff list, the case list and the vocabulary stay as
    they are."""
    global _cached
    fingerprint = _database_fingerprint()
    with _cache_lock:
        if _cached is not None and _cached[0] == fingerprint:
            return _cached[1]
    redactor = Redactor(known_names_from_database())
    with _cache_lock:
        _cached = (fingerprint, redactor)
    return redactor
