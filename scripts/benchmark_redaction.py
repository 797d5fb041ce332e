"""Benchmark the redaction against a bare single-pass automaton scan for the known names.

    .venv/bin/python scripts/benchmark_redaction.py [--staff 3000] [--cases 50000] [--notes 5000]

Builds a staff list of `--staff` generated names (Faker, several locales, as a large council
has) and `--cases` case IDs, then times over the same notes:

- the bare scan: one pyahocorasick automaton holding every staff name, its first name and its
  surname, run once over each note lower-cased, every match consumed, nothing else done;
- the full redaction: `Redactor.redact` (staff names in all their forms, case IDs, other
  person names, identifiers, overlaps resolved, the redacted text built).

Two sets of notes: the labelled corpus repeated, and generated notes of a few sentences each
naming staff, children and parents, with dates and now and then an identifier. Prints notes
per second for each and the ratio of the full redaction to the bare scan (the goal: at least
a third), and the time to build the redactor (`redactor_for_database()` keeps one per
process). Best of three runs each.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import ahocorasick  # noqa: E402
import django  # noqa: E402

django.setup()

from faker import Faker  # noqa: E402

from auditloop.learning.redaction import KnownName, Redactor  # noqa: E402

CORPUS = ROOT / "auditloop/learning/tests/data/redaction_corpus.txt"
SENTENCES = (
    "{staff} visited {child} at home on {date} and saw {child_him} alone.",
    "{child}'s mum, {parent}, said the plan was not working; {staff} agreed to review it.",
    "Manager oversight by {manager} is recorded monthly and the chronology is up to date.",
    "The assessment is thorough, but the plan lacks measurable outcomes and timescales.",
    "{child} (aged {age}) told {staff} that he feels safe with his nan.",
    "Father {parent} was not invited to the conference on {date}; fathers were not engaged.",
    "School attendance improved to {percent}% and the GP was consulted about {child}'s asthma.",
    "{staff} and {manager} discussed drift in supervision; actions were not followed up.",
    "The core group met on {date}. Visits were within timescales and the child was seen alone.",
    "Her DOB is {dob} and the family live at {number} {street} Road, {postcode}.",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--staff", type=int, default=3000)
    parser.add_argument("--cases", type=int, default=50000)
    parser.add_argument("--notes", type=int, default=5000)
    args = parser.parse_args()

    fake = Faker(["en_GB", "en_IN", "pl_PL", "en_NG"])
    Faker.seed(9)
    rng = random.Random(9)
    staff = [fake.name() for _ in range(args.staff)]
    known = [KnownName(name, "staff", "[social worker]") for name in staff]
    known += [KnownName(f"{i:06d}", "identifier:child_id", "[child ID]") for i in range(args.cases)]

    started = time.perf_counter()
    redactor = Redactor(known)
    build = time.perf_counter() - started
    print(f"redactor built for {args.staff} staff and {args.cases} case IDs in {build:.2f} s")

    bare = ahocorasick.Automaton()
    for name in staff:
        for form in {name, *name.split()}:
            bare.add_word(form.lower(), len(form))
    bare.make_automaton()

    marked = [
        line
        for line in CORPUS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    corpus = [re.sub(r"\{[^|{}]*\|([^{}]*)\}", r"\1", line) for line in marked]
    repeated = (corpus * (args.notes // len(corpus) + 1))[: args.notes]
    generated = [_note(rng, fake, staff) for _ in range(args.notes)]

    def scan(notes: list[str]) -> None:
        for note in notes:
            for _match in bare.iter(note.lower()):
                pass

    def redact(notes: list[str]) -> None:
        for note in notes:
            redactor.redact(note)

    for title, notes in (("corpus notes", repeated), ("generated notes", generated)):
        length = sum(map(len, notes)) / len(notes)
        bare_rate = _rate(scan, notes)
        full_rate = _rate(redact, notes)
        print(
            f"{title} ({len(notes)}, {length:.0f} characters on average): "
            f"bare scan {bare_rate:,.0f} notes/s, full redaction {full_rate:,.0f} notes/s, "
            f"ratio {full_rate / bare_rate:.2f} (goal at least 0.33)"
        )


def _rate(run: Callable[[list[str]], None], notes: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run(notes)
        best = min(best, time.perf_counter() - started)
    return len(notes) / best


def _note(rng: random.Random, fake: Faker, staff: list[str]) -> str:
    sentences = []
    for template in rng.sample(SENTENCES, k=rng.randint(3, 6)):
        child = fake.first_name()
        sentences.append(
            template.format(
                staff=rng.choice(staff).split()[rng.choice((0, -1))]
                if rng.random() < 0.5
                else rng.choice(staff),
                manager=rng.choice(staff),
                child=child,
                child_him="him",
                parent=fake.name(),
                date=fake.date_between("-2y").strftime("%-d %B %Y"),
                age=rng.randint(1, 17),
                percent=rng.randint(60, 99),
                dob=fake.date_of_birth(maximum_age=17).strftime("%d/%m/%Y"),
                number=rng.randint(1, 200),
                street=fake.last_name(),
                postcode=fake.postcode() if hasattr(fake, "postcode") else "LS6 2AB",
            )
        )
    return " ".join(sentences)


if __name__ == "__main__":
    main()
