"""Notes per second: the full redaction against a bare single-pass automaton scan for the known
names, over the labelled corpus repeated, with 3,000 generated staff names and 50,000 case IDs.
Run: /work/main/.venv/bin/python scripts/benchmark_redaction.py"""

import os, django, sys, time, random

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from faker import Faker
from auditloop.learning.redaction import Redactor, KnownName
import ahocorasick

f = Faker(["en_GB", "en_IN", "pl_PL"])
Faker.seed(2)
staff = [f.name() for _ in range(3000)]
known = [KnownName(n, "staff", "[social worker]") for n in staff] + [
    KnownName(f"{i:06d}", "identifier:child_id", "[child ID]") for i in range(50000)
]
t = time.perf_counter()
r = Redactor(known)
print("build 3000 staff + 50000 ids: %.2fs" % (time.perf_counter() - t))
lines = [
    l for l in open("auditloop/learning/tests/data/redaction_corpus.txt") if not l.startswith("#")
]
import re

notes = [re.sub(r"\{[^|]*\|([^}]*)\}", r"\1", l) for l in lines] * 40
A = ahocorasick.Automaton()
for n in staff:
    for v in {n, *n.split()}:
        A.add_word(v.lower(), len(v))
A.make_automaton()
t = time.perf_counter()
for n in notes:
    for m in A.iter(n.lower()):
        pass
bare = len(notes) / (time.perf_counter() - t)
t = time.perf_counter()
for n in notes:
    r.redact(n)
full = len(notes) / (time.perf_counter() - t)
print("bare %.0f notes/s, full %.0f notes/s, ratio %.2f" % (bare, full, full / bare))
