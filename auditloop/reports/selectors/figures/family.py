"""The child's and the family's view, as figures: how often the audits that asked for it heard
the child and a parent or carer, their answers by cohort and by team or service, and whether
the family's view of "have things got better?" agrees with the auditor's judgement (the
audit's overall grade that counts: Good or better, or below).

Only the answers to the yes, partly or no questions are counted: nobody's own words reach a
figure. Each row is suppressed by the one rule, sized by the audits with answers behind it
and the people whose cases they are. A fixed number of queries, however many answers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from auditloop.audits.models import (
    AuditType,
    ContactMethod,
    FamilyAnswer,
    FamilyAnswerKind,
    FamilyReply,
    FamilyViewAsked,
    Respondent,
)
from auditloop.audits.rules import FamilyAgreement, family_agreement
from auditloop.cases.models import Cohort
from auditloop.reports.blocks import Block
from auditloop.reports.selectors.figures.parts import (
    counted_audits,
    group_field,
    scope_group_names,
    scoped_table,
)
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope

REPLY_COLUMNS = [
    (FamilyReply.YES, "Yes"),
    (FamilyReply.PARTLY, "Partly"),
    (FamilyReply.NO, "No"),
    (FamilyReply.NOT_SURE, "Not sure"),
]
NOBODY_ASKED = "No audit of this cycle that counts asked the child or their family for their view."
NO_ANSWERS = (
    "No child or family has answered the questions yet for an audit of this cycle that counts."
)


def family_view(scope: ReportScope) -> list[Block]:
    """The family's view blocks, in order. Seven queries."""
    return [
        _contact(scope),
        *_answers(scope),
        _agreement(scope),
    ]


def _row_heading(scope: ReportScope) -> str:
    return "Team" if scope.names_teams else "Service"


def _contact(scope: ReportScope) -> Block:
    """Of the audits that asked the family's view (deep dives, and any audit whose tool asks
    it), how many heard the child, a parent or carer, through the online form, or no one. One
    query, and the scope's names."""
    group = group_field(scope)
    heard = Q(family_contacts__made=True)
    rows = (
        audits_in_scope(scope)
        .filter(
            Q(audit_type=AuditType.DEEP_DIVE)
            | Q(tool_version__family_view_asked=FamilyViewAsked.EVERY_AUDIT)
        )
        .exclude(audit_type=AuditType.CALIBRATION)
        .values(group)
        .annotate(
            n=Count("pk", distinct=True),
            people=Count("practitioner", distinct=True),
            child=Count(
                "pk", filter=heard & Q(family_contacts__respondent=Respondent.CHILD), distinct=True
            ),
            carer=Count(
                "pk",
                filter=heard & Q(family_contacts__respondent=Respondent.PARENT_CARER),
                distinct=True,
            ),
            online=Count(
                "pk",
                filter=heard & Q(family_contacts__method=ContactMethod.ONLINE_FORM),
                distinct=True,
            ),
            heard=Count("pk", filter=heard, distinct=True),
        )
        .order_by()
    )
    by_group = {row[group]: row for row in rows}
    heading = "Contact with the child and family"
    if not by_group:
        return Block(key="family-contact", heading=heading, words=[NOBODY_ASKED])
    names = scope_group_names(scope)
    groups = sorted(by_group, key=lambda g: names.get(g, ""))
    table = scoped_table(
        scope,
        caption="Audits that asked the family's view, and whom they heard",
        row_heading=_row_heading(scope),
        columns=[
            "Child or young person heard",
            "Parent or carer heard",
            "Answered by online form",
            "No one heard",
        ],
        rows=[
            (
                names.get(g, ""),
                [
                    by_group[g]["child"],
                    by_group[g]["carer"],
                    by_group[g]["online"],
                    by_group[g]["n"] - by_group[g]["heard"],
                ],
            )
            for g in groups
        ],
        row_groups=[by_group[g]["n"] for g in groups],
        row_people=[by_group[g]["people"] for g in groups],
        column_totals=False,
        total_heading="Heard (an audit can hear both)",
    )
    return Block(
        key="family-contact",
        heading=heading,
        table=table,
        words=[
            "An audit asks the family's view on a deep dive, and on any audit whose tool asks "
            "it. Each audit is counted once in a column, however many contacts it recorded."
        ],
    )


def _agreement_answers(scope: ReportScope) -> QuerySet[FamilyAnswer]:
    return FamilyAnswer.objects.filter(
        contact__audit_id__in=counted_audits(scope).ids,
        contact__made=True,
        question__kind=FamilyAnswerKind.AGREEMENT,
    ).exclude(reply="")


def _sizes(answers: QuerySet[FamilyAnswer], field: str) -> dict[Any, tuple[int, int]]:
    """How many audits, and of how many people's cases, lie behind each row. One query."""
    return {
        row[field]: (row["n"], row["people"])
        for row in answers.values(field)
        .annotate(
            n=Count("contact__audit", distinct=True),
            people=Count("contact__audit__practitioner", distinct=True),
        )
        .order_by()
    }


def _answers(scope: ReportScope) -> list[Block]:
    """The answers to the yes, partly or no questions, by cohort and by team or service.
    Four queries."""
    answers = _agreement_answers(scope)
    group = "contact__audit__" + group_field(scope)
    cohort = "contact__audit__case__cohort"
    counts: dict[tuple[str, Any], dict[str, int]] = defaultdict(dict)
    for row in answers.values(group, cohort, "reply").annotate(n=Count("pk")).order_by():
        for key in (("cohort", row[cohort]), ("group", row[group])):
            counts[key][row["reply"]] = counts[key].get(row["reply"], 0) + row["n"]
    if not counts:
        return [
            Block(
                key="family-answers", heading="What children and families said", words=[NO_ANSWERS]
            )
        ]
    cohort_sizes = _sizes(answers, cohort)
    group_sizes = _sizes(answers, group)
    cohorts = [c for c in Cohort.values if ("cohort", c) in counts]
    names = scope_group_names(scope)
    groups = sorted(
        (key for kind, key in counts if kind == "group"), key=lambda g: names.get(g, "")
    )
    explain = (
        "Every answer to the questions answered yes, partly, no or not sure, by children, "
        "young people, parents and carers, whether to the auditor or through the online form. "
        "What they said in their own words is read on each audit, never counted here."
    )
    by_cohort = scoped_table(
        scope,
        caption="What children and families said, by cohort",
        row_heading="Cohort",
        columns=[label for _, label in REPLY_COLUMNS],
        rows=[
            (Cohort(c).label, [counts[("cohort", c)].get(r, 0) for r, _ in REPLY_COLUMNS])
            for c in cohorts
        ],
        row_groups=[cohort_sizes[c][0] for c in cohorts],
        row_people=[cohort_sizes[c][1] for c in cohorts],
        total_heading="Answers",
    )
    by_group = scoped_table(
        scope,
        caption="What children and families said, by " + _row_heading(scope).lower(),
        row_heading=_row_heading(scope),
        columns=[label for _, label in REPLY_COLUMNS],
        rows=[
            (names.get(g, ""), [counts[("group", g)].get(r, 0) for r, _ in REPLY_COLUMNS])
            for g in groups
        ],
        row_groups=[group_sizes[g][0] for g in groups],
        row_people=[group_sizes[g][1] for g in groups],
        total_heading="Answers",
    )
    return [
        Block(
            key="family-answers-cohort",
            heading="What children and families said, by cohort",
            table=by_cohort,
            words=[explain],
        ),
        Block(
            key="family-answers",
            heading="What children and families said, by " + _row_heading(scope).lower(),
            table=by_group,
        ),
    ]


def _agreement(scope: ReportScope) -> Block:
    """Each answer to the question set beside the judgement of impact ("have things got
    better?") against its audit's overall grade that counts. Two queries."""
    answers = _agreement_answers(scope).filter(question__about_impact=True)
    group = "contact__audit__" + group_field(scope)
    needs_action = Coalesce(
        "contact__audit__agreed_overall_grade__needs_action",
        "contact__audit__overall_grade__needs_action",
    )
    rows = (
        answers.annotate(below_good=needs_action)
        .exclude(below_good=None)
        .values(group, "reply", "below_good")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_group: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(FamilyAgreement.ORDER, 0)
    )
    for row in rows:
        said = family_agreement(reply=row["reply"], good_or_better=not row["below_good"])
        by_group[row[group]][said] += row["n"]
    heading = "Does the family's view agree with the auditor's?"
    if not by_group:
        return Block(
            key="family-agreement",
            heading=heading,
            words=[
                "No child or family has yet answered the question set beside the auditor's "
                "judgement of impact, for an audit of this cycle with an overall grade."
            ],
        )
    sizes = _sizes(answers.annotate(below_good=needs_action).exclude(below_good=None), group)
    names = scope_group_names(scope)
    groups = sorted(by_group, key=lambda g: names.get(g, ""))
    table = scoped_table(
        scope,
        caption="The family's answer to whether things got better, against the audit's grade",
        row_heading=_row_heading(scope),
        columns=list(FamilyAgreement.ORDER),
        rows=[(names.get(g, ""), [by_group[g][k] for k in FamilyAgreement.ORDER]) for g in groups],
        row_groups=[sizes.get(g, (1, 1))[0] for g in groups],
        row_people=[sizes.get(g, (1, 1))[1] for g in groups],
        total_heading="Answers",
    )
    return Block(
        key="family-agreement",
        heading=heading,
        table=table,
        words=[
            "Each answer to the question the tool sets beside the auditor's judgement of impact "
            "(by default: have things got better since we have been involved?), against the "
            "audit's overall grade that counts. They agree when the family says yes and the "
            "grade is Good or better, or the family says no and the grade is below Good."
        ],
    )
