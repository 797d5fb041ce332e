"""Redaction: the one way any text leaves an individual's own audit.

`redactor_for_database()` gives a `Redactor` that knows the names in the database in use;
`Redactor.redact(text)` returns the text with every name and identifier it finds replaced by a
placeholder (`[social worker]`, `[child]`, `[postcode]`), and the spans it replaced, as
character offsets into the input (Python string indices, end exclusive).

Labels: `staff` (a name the product knows from the staff list and imports, placeholder by role:
`[social worker]`, `[team manager]`, `[staff member]`), `person` (another person's name it
recognises from name lists and context: `[child]`, `[parent]`, `[carer]`, `[person]`), and
`identifier` with a finer label after a colon: `identifier:child_id`, `upn`, `nhs_number`,
`ni_number`, `dob`, `address`, `postcode`, `phone`, `email`. A `KnownName` labelled
`vocabulary` (theme names, question and section titles, team and service names) is never
redacted, and no `person` name is found inside it; a staff name or an identifier inside it
still is.

`engine.py` holds the redactor, `names.py` the name lists and context words, `identifiers.py`
the identifier rules. `scripts/benchmark_redaction.py` times it; the labelled corpus in
`learning/tests/data/` measures it.
"""

from __future__ import annotations

from auditloop.learning.redaction.engine import (
    VOCABULARY,
    KnownName,
    Redaction,
    Redactor,
    Span,
    known_names_from_database,
    known_staff_spans,
    placeholder_for,
    redactor_for_database,
)

__all__ = [
    "VOCABULARY",
    "KnownName",
    "Redaction",
    "Redactor",
    "Span",
    "known_names_from_database",
    "known_staff_spans",
    "placeholder_for",
    "redactor_for_database",
]
