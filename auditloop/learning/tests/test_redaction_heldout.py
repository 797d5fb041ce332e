"""The redaction engine measured on a held-out corpus of audit notes, written without reading the
engine or its own corpus, with its own staff list: the figures the engine's own corpus gives
flatter it, since the same hand wrote both. Scored by the same code as that corpus. Run with -s
to see the table."""

from __future__ import annotations

import re
import sys
from collections import Counter

from stdnum.gb import nhs, upn

from auditloop.learning.tests.test_redaction_corpus import (
    DATA,
    Note,
    Score,
    corpus,
    corpus_redactor,
    score,
)

HELD_OUT = DATA / "redaction_heldout.txt"
HELD_OUT_KNOWN = DATA / "redaction_heldout_known.json"

# Measured on this corpus when it was written, less a small margin: these are what the engine
# reached, not what it should reach. A change that loses recall or precision fails here.
FLOORS = {
    # As a label: a staff name after a title is hidden as a person (see below).
    ("staff", "recall"): 0.88,  # measured 0.904
    ("staff", "precision"): 0.92,  # measured 0.946
    ("person", "recall"): 0.86,  # measured 0.894
    ("person", "precision"): 0.87,  # measured 0.901
    ("identifier", "recall"): 0.90,  # measured 0.931
    ("identifier", "precision"): 0.95,  # measured 0.986
}

_NI_NUMBER = re.compile(r"[A-Z]{2}\d{6}[A-D]")
_NI_BAD_PREFIXES = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def held_out() -> list[Note]:
    return corpus(HELD_OUT)


def held_out_score() -> Score:
    return score(held_out(), corpus_redactor(HELD_OUT_KNOWN))


def labelled(kind: str) -> list[str]:
    return [text[s:e] for text, gold in held_out() for s, e, label in gold if label == kind]


def test_the_held_out_corpus_is_a_few_hundred_labelled_spans_of_every_kind() -> None:
    labels = Counter(label for _text, gold in held_out() for _s, _e, label in gold)
    assert sum(labels.values()) >= 250
    assert labels["staff"] >= 80 and labels["person"] >= 100
    for kind in ("dob", "postcode", "address", "nhs_number", "ni_number", "upn", "phone"):
        assert labels[f"identifier:{kind}"] >= 4, kind
    assert labels["identifier:email"] >= 4 and labels["identifier:child_id"] >= 4
    assert sum(1 for _text, gold in held_out() if not gold) >= 15


def test_the_held_out_identifiers_are_valid_where_their_format_has_a_check() -> None:
    for number in labelled("identifier:nhs_number"):
        assert nhs.is_valid(number), number
    for number in labelled("identifier:upn"):
        assert upn.is_valid(number), number
    for number in labelled("identifier:ni_number"):
        compact = number.replace(" ", "").upper()
        assert _NI_NUMBER.fullmatch(compact), number
        assert compact[0] not in "DFIQUV" and compact[1] not in "DFIOQUV", number
        assert compact[:2] not in _NI_BAD_PREFIXES, number


def test_every_known_staff_name_in_the_held_out_corpus_is_hidden() -> None:
    """The promise: no known staff name is left to read. A staff name after a title ("Ms
    Stone") is hidden as a person ("[person]"): the engine cannot tell the member of staff from
    another Ms Stone, so it redacts the name either way but labels it by the title; the table
    counts those as staff misses, and this test counts what is left visible."""
    redactor = corpus_redactor(HELD_OUT_KNOWN)
    sys.stdout.write("\n" + held_out_score().table() + "\n")
    visible = []
    for text, gold in held_out():
        spans = redactor.redact(text).spans
        for start, end, label in gold:
            if label != "staff":
                continue
            covered = {i for span in spans for i in range(span.start, span.end)}
            if any(i not in covered and not text[i].isspace() for i in range(start, end)):
                visible.append(text[start:end])
    assert not visible, visible


def test_recall_and_precision_on_the_held_out_corpus_reach_their_measured_floors() -> None:
    result = held_out_score()
    for (label, measure), floor in FLOORS.items():
        value = result.recall(label) if measure == "recall" else result.precision(label)
        assert value >= floor, (label, measure, value, result.table())
