"""The national demo council: the large council grown in PostgreSQL to DESIGN.md's national scale.

The large council (its people, six services and five years of audit history: cycles, draws,
moderation, learning, training, partners) is built first, as for `--size large`. Then, in the
same transaction and inside the server (`INSERT ... SELECT` over `generate_series`, never a row
through Python), it grows to 400,000 open cases and 200,000 audits:

- each new audit copies one of the large council's audits (the template) onto a case of its
  own, itself a copy of the template's case under a new LA child ID: same cohort, team, worker
  and key dates, so the independence rule that held for the template holds for the copy;
- the copy keeps the template's cycle (and planned month: `CycleAudit`), tool version, status,
  grades and dates; its answers are the template's answers, so every answer's question belongs
  to its audit's tool version; its actions point at the copy's own answers; its deep-dive
  participants, feedback replies and learning points (with their themes) are the template's;
- templates are audits with nothing that belongs to one audit alone: no revisit either way, no
  agreed (moderated) grade, no moderation, no unsafe-child flag, no calibration or meeting;
- the remaining cases copy the large council's cases, in turn.

Public ids are derived from the seed (an MD5 of seed, kind and number), so the same seed builds
the same rows. The product's constraints and indexes all stay; the build ends with ANALYZE.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, models

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    FeedbackReply,
    Participant,
)
from auditloop.cases.models import ChildCase
from auditloop.core.models import AccessLog, Event
from auditloop.learning.models import LearningPoint
from auditloop.sampling.models import CycleAudit

# DESIGN.md's "regional or national deployment".
NATIONAL_CASES = 400_000
NATIONAL_AUDITS = 200_000

SQLITE_REFUSED = (
    "The national demo council (400,000 cases, 200,000 audits and millions of answers) is "
    "built on PostgreSQL only: it is grown inside the database server with INSERT ... SELECT, "
    "and on SQLite, a single-writer file database meant for one council on one machine, it "
    "would hold the write lock for a long time and give a file of gigabytes nobody should run "
    "a national service from. Set DATABASE_URL to a PostgreSQL database "
    "(postgres://user@host:port/name), or use --size large for the largest council on SQLite."
)


@dataclass(frozen=True)
class NationalTargets:
    cases: int
    audits: int

    @classmethod
    def scaled(cls, scale: float) -> NationalTargets:
        return cls(cases=round(NATIONAL_CASES * scale), audits=round(NATIONAL_AUDITS * scale))


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _copy_sql(
    model: type[models.Model], *, source: str, overrides: dict[str, str], tail: str
) -> str:
    """`INSERT INTO <model> (every column) SELECT <source>.column, or its override ... <tail>`.

    Columns come from the model, so a field added later is copied too. The primary key is
    left to its identity default unless an override names it."""
    columns: list[str] = []
    values: list[str] = []
    for f in model._meta.concrete_fields:
        column = f.column
        if column is None:  # not stored in a column of its own
            continue
        if f.primary_key and column not in overrides:
            continue
        columns.append(connection.ops.quote_name(column))
        values.append(overrides.get(column, f"{source}.{connection.ops.quote_name(column)}"))
    return f"INSERT INTO {_table(model)} ({', '.join(columns)}) SELECT {', '.join(values)} {tail}"


def _uuid(seed: int, kind: str, number: str) -> str:
    return f"md5('{int(seed)}:{kind}:' || {number})::uuid"


# What a copy takes from its template, besides the audit row.
COPIED: set[type[models.Model]] = {
    CycleAudit,
    Answer,
    Action,
    Participant,
    FeedbackReply,
    LearningPoint,
}


def national_rows_add(*, seed: int, scale: float = 1.0) -> None:
    """Grow the council just built to the national targets (scaled), as described above."""
    if connection.vendor != "postgresql":
        raise ValueError(SQLITE_REFUSED)
    targets = NationalTargets.scaled(scale)
    case, audit = _table(ChildCase), _table(Audit)
    existing_cases = ChildCase.objects.count()
    existing_audits = Audit.objects.count()
    new_cases = max(0, targets.cases - existing_cases)
    new_audits = max(0, targets.audits - existing_audits)
    if new_audits > new_cases:
        raise ValueError(
            f"{new_audits} new audits need as many new cases, and only {new_cases} are made."
        )

    def excluded(model: type[models.Model], column: str) -> str:
        return f"NOT EXISTS (SELECT 1 FROM {_table(model)} x WHERE x.{column} = a.id)"  # noqa: S608

    # Anything else that names an audit (a revisit, a moderation, an unsafe-child flag, a
    # partner share, a calibration, a meeting...) belongs to that audit alone.
    singular = [excluded(f.model, f.column) for f in _audit_references() if f.model not in COPIED]
    params = {"cases": new_cases, "audits": new_audits}
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE national_template ON COMMIT DROP AS "  # noqa: S608
            "SELECT row_number() OVER (ORDER BY a.id) AS n, a.id, a.case_id "
            f"FROM {audit} a WHERE a.revisit_of_id IS NULL "
            "AND a.agreed_overall_grade_id IS NULL AND " + " AND ".join(singular)
        )
        cursor.execute("SELECT count(*) FROM national_template")
        (templates,) = cursor.fetchone()
        if new_audits and not templates:
            raise ValueError("The council has no plain audit to copy.")
        cursor.execute(
            "CREATE TEMP TABLE national_any_case ON COMMIT DROP AS "  # noqa: S608
            f"SELECT row_number() OVER (ORDER BY id) AS n, id FROM {case}"
        )
        # New cases: the first `audits` copy the templates' cases, in turn; the rest copy any.
        cursor.execute(
            "CREATE TEMP TABLE national_case ON COMMIT DROP AS "  # noqa: S608
            f"SELECT g.k, nextval(pg_get_serial_sequence('{ChildCase._meta.db_table}', 'id')) "
            "AS id, coalesce(t.case_id, c.id) AS template_id "
            "FROM generate_series(1, %(cases)s) AS g(k) "
            f"LEFT JOIN national_template t ON g.k <= %(audits)s "
            f"AND t.n = (g.k - 1) %% {int(templates or 1)} + 1 "
            f"LEFT JOIN national_any_case c ON g.k > %(audits)s "
            f"AND c.n = (g.k - 1) %% {int(existing_cases or 1)} + 1 ORDER BY g.k",
            params,
        )
        cursor.execute(
            _copy_sql(
                ChildCase,
                source="t",
                overrides={
                    "id": "n.id",
                    "public_id": _uuid(seed, "case", "n.k"),
                    # Seven digits: the large council's IDs have six, so none is taken.
                    "la_child_id": "(1000000 + n.k)::text",
                },
                tail=f"FROM national_case n JOIN {case} t ON t.id = n.template_id ORDER BY n.k",
            )
        )
        cursor.execute(
            "CREATE TEMP TABLE national_audit ON COMMIT DROP AS "  # noqa: S608
            f"SELECT n.k, nextval(pg_get_serial_sequence('{Audit._meta.db_table}', 'id')) AS id, "
            "t.id AS template_id, n.id AS case_id FROM national_case n "
            f"JOIN national_template t ON t.n = (n.k - 1) %% {int(templates or 1)} + 1 "
            "WHERE n.k <= %(audits)s ORDER BY n.k",
            params,
        )
        cursor.execute("CREATE INDEX ON national_audit (template_id)")
        cursor.execute("ANALYZE national_audit")
        cursor.execute(
            _copy_sql(
                Audit,
                source="t",
                overrides={
                    "id": "n.id",
                    "public_id": _uuid(seed, "audit", "n.k"),
                    "case_id": "n.case_id",
                    "version": "0",
                },
                tail=f"FROM national_audit n JOIN {audit} t ON t.id = n.template_id ORDER BY n.k",
            )
        )
        for model in (CycleAudit, Answer, Participant, FeedbackReply):
            overrides = {"audit_id": "n.id"}
            if model is CycleAudit:
                # Planned into the cycle by hand, not by a draw whose population holds the
                # template's case and not the copy's.
                overrides["draw_id"] = "NULL"
            if model is Answer:
                overrides["agreed_grade_id"] = "NULL"
            cursor.execute(
                _copy_sql(
                    model,
                    source="t",
                    overrides=overrides,
                    tail=f"FROM national_audit n JOIN {_table(model)} t "
                    "ON t.audit_id = n.template_id ORDER BY n.k, t.id",
                )
            )
        # Learning points, with their themes: the copy's learning points are its template's.
        point = _table(LearningPoint)
        cursor.execute(
            "CREATE TEMP TABLE national_point ON COMMIT DROP AS "  # noqa: S608
            f"SELECT nextval(pg_get_serial_sequence('{LearningPoint._meta.db_table}', 'id')) "
            "AS id, n.k, row_number() OVER (PARTITION BY n.k ORDER BY t.id) AS nth, "
            f"t.id AS template_id, n.id AS audit_id FROM national_audit n JOIN {point} t "
            "ON t.audit_id = n.template_id ORDER BY n.k, t.id"
        )
        cursor.execute(
            _copy_sql(
                LearningPoint,
                source="t",
                overrides={
                    "id": "p.id",
                    "audit_id": "p.audit_id",
                    "public_id": _uuid(seed, "point", "p.k || ':' || p.nth"),
                },
                tail=f"FROM national_point p JOIN {point} t ON t.id = p.template_id ORDER BY p.id",
            )
        )
        themes = LearningPoint.themes.through
        cursor.execute(
            f"INSERT INTO {_table(themes)} (learningpoint_id, theme_id) "  # noqa: S608
            f"SELECT p.id, x.theme_id FROM national_point p JOIN {_table(themes)} x "
            "ON x.learningpoint_id = p.template_id ORDER BY p.id, x.id"
        )
        answer = _table(Answer)
        cursor.execute(
            _copy_sql(
                Action,
                source="t",
                overrides={
                    "audit_id": "n.id",
                    "answer_id": "na.id",
                    "public_id": _uuid(seed, "action", "t.id || ':' || n.k"),
                },
                tail=f"FROM national_audit n JOIN {_table(Action)} t ON t.audit_id = n.template_id "
                f"LEFT JOIN {answer} oa ON oa.id = t.answer_id "
                f"LEFT JOIN {answer} na ON na.audit_id = n.id AND na.question_id = oa.question_id "
                "ORDER BY n.k, t.id",
            )
        )


def _audit_references() -> list[models.ForeignKey[models.Model, models.Model]]:
    """Every foreign key to an audit, from any model of the product."""
    from django.apps import apps

    found: list[models.ForeignKey[models.Model, models.Model]] = []
    for model in apps.get_models(include_auto_created=True):
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is Audit:
                found.append(f)
    return found


def history_logs_add_sql() -> None:
    """`history_logs_add` of the large-council tests, inside the server: an `audit.submitted`
    event by its auditor and a read in the access log for every audit whose auditor signs in."""
    audit = _table(Audit)
    staff = _table(StaffMember)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(Event)} (actor_id, verb, target_type, target_id, summary, "  # noqa: S608
            "before, after, content_changed, at) "
            "SELECT s.user_id, 'audit.submitted', 'audits.audit', a.public_id::text, "
            '\'Audit submitted.\', \'{"status": "in_progress"}\', \'{"status": "submitted"}\', '
            f"'[]', now() FROM {audit} a JOIN {staff} s ON s.id = a.auditor_id "
            "WHERE s.user_id IS NOT NULL ORDER BY a.id"
        )
        cursor.execute(
            f"INSERT INTO {_table(AccessLog)} (user_id, target_type, target_id, purpose, at) "  # noqa: S608
            "SELECT s.user_id, 'audits.audit', a.public_id::text, 'view', now() "
            f"FROM {audit} a JOIN {staff} s ON s.id = a.auditor_id "
            "WHERE s.user_id IS NOT NULL ORDER BY a.id"
        )
