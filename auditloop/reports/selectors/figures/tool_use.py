"""The audit tool and its use, per question: how often each was answered Not applicable, the
spread of its answers, and which questions moderation changed most (the committee asked to
consider the tool as well as the practice it measures).

One table per tool version the cycle's audits used (a question's code is unique within its
version), rows sized by the audits answering each question and the people whose cases they
are, suppressed by the one rule. Five queries, however many audits.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet

from auditloop.audits.models import (
    Answer,
    Audit,
    ComplianceAnswer,
    Grade,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.audits.selectors.audits import answer_grade_counted
from auditloop.reports.blocks import Block
from auditloop.reports.selectors.figures.parts import (
    counted_audits,
    derived_share,
    keyed,
    scoped_table,
    withheld_words,
)
from auditloop.reports.selectors.scope import ReportScope

CHECK_COLUMNS = [
    (ComplianceAnswer.YES, "Yes"),
    (ComplianceAnswer.NO, "No"),
    (ComplianceAnswer.NOT_APPLICABLE, "Not applicable"),
]
# How many questions the moderation table lists: those moderation changed most.
MOST_CHANGED = 10


def _label(question: Question) -> str:
    text = " ".join(question.text.split())
    return f"{question.code} {text[:80]}{'…' if len(text) > 80 else ''}"


def tool_use(scope: ReportScope) -> list[Block]:
    """Per tool version used: the checks' answers (with the share Not applicable), the graded
    questions' grades, and the questions moderation changed most."""
    heading = "The audit tool's questions"
    counted = counted_audits(scope)
    if not counted.n:
        words = "No audit in this cycle has been submitted yet, so no question has been answered."
        return [Block(key="tool-questions", heading=heading, words=[words])]
    withheld = withheld_words(scope, counted.n, counted.people)
    if withheld:
        return [Block(key="tool-questions", heading=heading, words=[withheld])]
    answers = Answer.objects.filter(audit_id__in=counted.ids)
    spread: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        answers.annotate(counted=answer_grade_counted("id"))
        .values("question_id", "compliance", "counted")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = row["compliance"] or (str(row["counted"]) if row["counted"] else "")
        if key:
            spread[row["question_id"]][key] += row["n"]
    sizes = {
        row["question_id"]: (row["n"], row["people"])
        for row in answers.values("question_id")
        .annotate(
            n=Count("audit", distinct=True), people=Count("audit__practitioner", distinct=True)
        )
        .order_by()
    }
    questions = list(
        Question.objects.filter(pk__in=list(spread))
        .select_related("section__version__tool")
        .order_by(
            "section__version__tool__name", "section__version__number", "section__order", "order"
        )
    )
    versions: dict[int, list[Question]] = defaultdict(list)
    for question in questions:
        versions[question.section.version_id].append(question)
    scales = {
        q.section.version.grading_scale_id for q in questions if q.kind == QuestionKind.GRADED
    }
    grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in Grade.objects.filter(scale_id__in=scales).order_by("scale_id", "-value"):
        grades[grade.scale_id].append(grade)
    blocks: list[Block] = []
    for position, listed in enumerate(versions.values()):
        version = listed[0].section.version
        blocks.extend(_version_blocks(scope, version, listed, spread, sizes, grades, position))
    if not blocks:
        words = "No question of these audits has been answered."
        blocks.append(Block(key="tool-questions", heading=heading, words=[words]))
    blocks.append(_moderation_changes(scope, counted.ids))
    return blocks


def _version_blocks(
    scope: ReportScope,
    version: ToolVersion,
    listed: list[Question],
    spread: dict[int, dict[str, int]],
    sizes: dict[int, tuple[int, int]],
    grades: dict[int, list[Grade]],
    position: int,
) -> list[Block]:
    name = f"{version.tool.name}, version {version.number}"
    blocks = []
    checks = [q for q in listed if q.kind == QuestionKind.COMPLIANCE]
    if checks:
        table = scoped_table(
            scope,
            caption=f"{name}: the answers to each compliance check",
            row_heading="Check",
            columns=[label for _, label in CHECK_COLUMNS],
            rows=[(_label(q), [spread[q.pk].get(c, 0) for c, _ in CHECK_COLUMNS]) for q in checks],
            row_groups=[sizes.get(q.pk, (0, 0))[0] for q in checks],
            row_people=[sizes.get(q.pk, (0, 0))[1] for q in checks],
            column_totals=False,
            total_heading="Answered",
            derived_heading="Share not applicable",
            derive=derived_share([2], None, "Not answered"),
        )
        blocks.append(
            Block(
                key=keyed("tool-checks", position),
                heading=f"{name}: compliance checks",
                table=table,
                words=[
                    "A check often answered Not applicable may be asked of the wrong cases, or "
                    "worded so that auditors cannot tell: worth a look when the tool is next "
                    "revised."
                ],
            )
        )
    graded = [q for q in listed if q.kind == QuestionKind.GRADED]
    scale = grades.get(version.grading_scale_id, [])
    if graded and scale:
        table = scoped_table(
            scope,
            caption=f"{name}: the grades that count for each graded question",
            row_heading="Question",
            columns=[g.label for g in scale],
            rows=[(_label(q), [spread[q.pk].get(str(g.pk), 0) for g in scale]) for q in graded],
            row_groups=[sizes.get(q.pk, (0, 0))[0] for q in graded],
            row_people=[sizes.get(q.pk, (0, 0))[1] for q in graded],
            column_totals=False,
            total_heading="Graded",
        )
        blocks.append(
            Block(
                key=keyed("tool-grades", position),
                heading=f"{name}: graded questions",
                table=table,
            )
        )
    return blocks


def _moderation_changes(scope: ReportScope, ids: QuerySet[Audit, int]) -> Block:
    """The graded questions moderation changed most: of the answers given an agreed grade,
    how many differ from the auditor's. One query and one for the questions."""
    heading = "Questions moderation changed most"
    rows = list(
        Answer.objects.filter(audit_id__in=ids, agreed_grade__isnull=False)
        .values("question_id")
        .annotate(
            moderated=Count("pk"),
            changed=Count("pk", filter=~Q(agreed_grade=F("grade")) | Q(grade__isnull=True)),
            n=Count("audit", distinct=True),
            people=Count("audit__practitioner", distinct=True),
        )
        .order_by()
    )
    if not rows:
        return Block(
            key="tool-moderation",
            heading=heading,
            words=["Moderation has agreed no question's grade for an audit of this cycle yet."],
        )
    rows.sort(key=lambda r: (-r["changed"], -r["moderated"], r["question_id"]))
    rows = rows[:MOST_CHANGED]
    questions = Question.objects.select_related("section__version__tool").in_bulk(
        [r["question_id"] for r in rows]
    )

    def label(question: Question) -> str:
        version = question.section.version
        return f"{version.tool.name} v{version.number}: {_label(question)}"

    table = scoped_table(
        scope,
        caption="The graded questions moderation changed most",
        row_heading="Question",
        columns=["Grade kept", "Grade changed"],
        rows=[
            (label(questions[r["question_id"]]), [r["moderated"] - r["changed"], r["changed"]])
            for r in rows
        ],
        row_groups=[r["n"] for r in rows],
        row_people=[r["people"] for r in rows],
        column_totals=False,
        total_heading="Moderated",
        derived_heading="Share changed",
        derive=derived_share([1], None, "None moderated"),
    )
    return Block(
        key="tool-moderation",
        heading=heading,
        table=table,
        words=[
            "Of the answers moderation agreed a grade for, how many it changed from the "
            f"auditor's: the {MOST_CHANGED} questions it changed most. A question moderators "
            "often grade differently may need clearer descriptors."
        ],
    )
