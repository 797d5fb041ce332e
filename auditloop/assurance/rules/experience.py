"""The questions a practitioner (and a deep dive's manager) is asked about being audited, and
how their answers are counted. Pure: no database."""

from __future__ import annotations

from auditloop.assurance.models import Agreement

# (field, the statement they agree or disagree with). The order the form and reports use.
STATEMENTS: list[tuple[str, str]] = [
    ("supportive", "The audit was carried out in a supportive way."),
    ("feedback_useful", "The feedback from the audit is useful to my practice."),
    ("alongside", "The auditor worked alongside me, not against me."),
]
DO_DIFFERENTLY = "What will you do differently because of this audit?"

# People are asked about audits completed in the last eight weeks: later, memory fades, and a
# home page would fill with audits long past.
ASK_WITHIN_DAYS = 56

AGREE = (Agreement.STRONGLY_AGREE, Agreement.AGREE)


def agreed_share(counts: list[int]) -> float | None:
    """The share agreeing (strongly or not) of the counts of each answer, in `Agreement`'s
    order; None when no one answered."""
    total = sum(counts)
    if total == 0:
        return None
    return 100 * (counts[0] + counts[1]) / total
