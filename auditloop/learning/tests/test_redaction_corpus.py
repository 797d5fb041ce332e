"""The redaction engine measured on a labelled corpus of audit notes: recall and precision per
label, known staff names at full recall. Run with -s to see the table."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from auditloop.learning.redaction import KnownName, Redactor, Span
from auditloop.learning.redaction.engine import STAFF_PLACEHOLDER

DATA = Path(__file__).parent / "data"
_MARK = re.compile(r"\{([spi](?::\w+)?)\|([^{}]*)\}")
_LABELS = {"s": "staff", "p": "person"}

# What the engine reaches on the corpus, less a small margin: a change that loses recall or
# precision fails here. Staff recall is not a floor but the rule: every known name, every form.
FLOORS = {
    ("staff", "recall"): 1.0,
    ("staff", "precision"): 0.95,
    ("person", "recall"): 0.85,
    ("person", "precision"): 0.95,
    ("identifier", "recall"): 0.90,
    ("identifier", "precision"): 0.95,
}


def corpus_redactor() -> Redactor:
    known = json.loads((DATA / "redaction_known.json").read_text(encoding="utf-8"))
    names = [
        KnownName(s["name"], "staff", STAFF_PLACEHOLDER.get(s["role"], "[staff member]"))
        for s in known["staff"]
    ]
    names += [KnownName(c, "identifier:child_id", "[child ID]") for c in known["child_ids"]]
    return Redactor(names)


def corpus() -> list[tuple[str, list[tuple[int, int, str]]]]:
    notes = []
    for line in (DATA / "redaction_corpus.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        text, gold, at = [], [], 0
        for match in _MARK.finditer(line):
            text.append(line[at : match.start()])
            start = sum(map(len, text))
            kind = match.group(1)
            label = _LABELS.get(kind, f"identifier{kind[1:]}")
            text.append(match.group(2))
            gold.append((start, start + len(match.group(2)), label))
            at = match.end()
        text.append(line[at:])
        notes.append(("".join(text), gold))
    return notes


def _family(label: str) -> str:
    return label.split(":")[0]


def score(notes, redactor):  # type: ignore[no-untyped-def]
    """Counts of true positives, gold spans and predicted spans, per label and family. A gold
    span is found when predicted spans cover every one of its characters and one of them
    overlapping it has its label; a predicted span is right when it overlaps a gold span with
    its label."""
    found, gold_n, right, predicted_n = Counter(), Counter(), Counter(), Counter()
    misses, wrong = [], []
    for text, gold in notes:
        spans: tuple[Span, ...] = redactor.redact(text).spans
        covered = set()
        for s in spans:
            covered.update(range(s.start, s.end))
        for start, end, label in gold:
            keys = {label, _family(label)}
            gold_n.update(keys)
            ok = all(i in covered for i in range(start, end)) and any(
                s.label == label and s.start < end and start < s.end for s in spans
            )
            if ok:
                found.update(keys)
            else:
                misses.append((label, text[start:end], text))
        for s in spans:
            keys = {s.label, _family(s.label)}
            predicted_n.update(keys)
            if any(g[2] == s.label and s.start < g[1] and g[0] < s.end for g in gold):
                right.update(keys)
            else:
                wrong.append((s.label, text[s.start : s.end], text))
    return found, gold_n, right, predicted_n, misses, wrong


def test_the_corpus_is_a_few_hundred_labelled_spans_of_every_kind() -> None:
    labels = Counter(label for _text, gold in corpus() for _s, _e, label in gold)
    assert sum(labels.values()) >= 250
    for kind in ("dob", "postcode", "address", "nhs_number", "ni_number", "upn", "phone"):
        assert labels[f"identifier:{kind}"] >= 2, kind
    assert labels["identifier:email"] >= 2 and labels["identifier:child_id"] >= 2
    assert sum(1 for _text, gold in corpus() if not gold) >= 8


def test_recall_and_precision_per_label_reach_their_floors() -> None:
    found, gold_n, right, predicted_n, misses, wrong = score(corpus(), corpus_redactor())
    print()
    print(f"{'label':28} {'gold':>5} {'recall':>7} {'pred':>5} {'precision':>9}")
    for label in sorted(set(gold_n) | set(predicted_n)):
        recall = found[label] / gold_n[label] if gold_n[label] else 1.0
        precision = right[label] / predicted_n[label] if predicted_n[label] else 1.0
        print(f"{label:28} {gold_n[label]:5} {recall:7.3f} {predicted_n[label]:5} {precision:9.3f}")
    for label, value, _text in misses:
        print("missed", label, repr(value))
    for label, value, _text in wrong:
        print("wrong ", label, repr(value))
    for (label, measure), floor in FLOORS.items():
        total = gold_n[label] if measure == "recall" else predicted_n[label]
        hits = found[label] if measure == "recall" else right[label]
        assert hits / total >= floor, (label, measure, hits, total)
