"""Reads of audits, always scoped to the person asking."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    audit_visibility_filter_for_one,
    with_grades_hidden,
)
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditType,
    ComplianceAnswer,
    QuestionKind,
)


def audits_visible_to(staff: StaffMember) -> QuerySet[Audit]:
    """The audits `staff` may read, each with the grade that counts joined and with
    `grades_hidden` set for them (the moderation blind), so that `grade_shown` is right."""
    return audits_as_shown_to(staff, Audit.objects.filter(audit_visibility_filter(staff)))


def audits_page_shown_to(staff: StaffMember, keys: Iterable[int]) -> QuerySet[Audit]:
    """The audits of a page of keys (cut from `audit_keys_visible_to`, which decided what
    `staff` may read), as `audits_visible_to` shows them. The rule is not asked again: the
    database then fetches the page's audits and their cases by key, where asking it again
    makes it weigh the rule over every audit and join the whole case table."""
    return audits_as_shown_to(staff, Audit.objects.filter(pk__in=list(keys)))


def audits_as_shown_to(staff: StaffMember, audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """`audits` with what a list shows of each joined and `grades_hidden` set for `staff`."""
    return with_grades_hidden(audits, staff).select_related(
        "case",
        "auditor",
        "practitioner",
        "team",
        "overall_grade",
        "agreed_overall_grade",
        "tool_version__tool",
    )


def audit_keys_visible_to(staff: StaffMember) -> QuerySet[Audit]:
    """The audits `staff` may read, with nothing joined: what a long list filters, counts and
    cuts to a page before `audits_visible_to` fetches the page's rows with what they show
    (see `auditloop.core.pagination.page_of_keys`)."""
    return Audit.objects.filter(audit_visibility_filter(staff))


# The order of every list of audits: newest first.
AUDITS_ORDER = ("-created_at", "-id")


def overall_grade_counted(field: str = "id") -> Coalesce:
    """`Audit.grade_counted` as one SQL expression, for querysets of audits that count, filter
    or chart by grade: `field` of the agreed overall grade where moderation set one, else of
    the auditor's. E.g. `audits.annotate(grade_value=overall_grade_counted("value"))` or
    `audits.alias(g=overall_grade_counted("is_inadequate")).filter(g=True)`. (Only submitted
    audits have a grade anyone may count: see `Audit.grade_shown`.)"""
    return Coalesce(f"agreed_overall_grade__{field}", f"overall_grade__{field}")


def answer_grade_counted(field: str = "id") -> Coalesce:
    """`Answer.grade_counted` as one SQL expression, for querysets of answers: `field` of the
    agreed grade where there is one, else of the auditor's."""
    return Coalesce(f"agreed_grade__{field}", f"grade__{field}")


def audits_matching(
    audits: QuerySet[Audit],
    *,
    status: str = "",
    audit_type: str = "",
    submitted_since: datetime.date | None = None,
) -> QuerySet[Audit]:
    """`audits` narrowed by the list's filters (the page's and the API's); blank means any.

    Calibration audits are listed and counted only when asked for by type: each is an
    exercise, not a judgement on the practitioner's work, and counts in no figure."""
    if status:
        audits = audits.filter(status=status)
    if audit_type:
        audits = audits.filter(audit_type=audit_type)
    else:
        audits = audits.exclude(audit_type=AuditType.CALIBRATION)
    if submitted_since is not None:
        audits = audits.filter(submitted_at__date__gte=submitted_since)
    return audits


def audit_answers(audit: Audit) -> QuerySet[Answer]:
    """The audit's answers in the tool's order, with their questions and grades. The audit
    comes from `get_audit_for_user`, which decided (and logged) the read."""
    return (
        Answer.objects.filter(audit=audit)
        .select_related("question", "grade", "agreed_grade")
        .order_by("question__section__order", "question__order")
    )


def audit_earlier_visible(staff: StaffMember, audit: Audit) -> Audit | None:
    """The audit a revisit follows up, if `staff` may read it too."""
    if audit.revisit_of_id is None:
        return None
    return Audit.objects.filter(
        audit_visibility_filter_for_one(staff), pk=audit.revisit_of_id
    ).first()


def audit_revisits_visible(staff: StaffMember, audit: Audit) -> list[Audit]:
    """The revisits that follow up `audit` and that `staff` may read, oldest first."""
    return list(
        Audit.objects.filter(audit_visibility_filter(staff), revisit_of=audit).order_by(
            "created_at", "id"
        )
    )


@dataclass(frozen=True)
class ComplianceScore:
    """An audit's compliance checks as answered: score = yes ÷ (yes + no), not applicable left
    out (the compliance tool's own rule)."""

    yes: int
    no: int
    not_applicable: int

    @classmethod
    def of(cls, answers: Iterable[str]) -> ComplianceScore | None:
        """The score of these compliance answers (blanks ignored), or None if there are none."""
        given = [a for a in answers if a]
        if not given:
            return None
        return cls(
            yes=given.count(ComplianceAnswer.YES),
            no=given.count(ComplianceAnswer.NO),
            not_applicable=given.count(ComplianceAnswer.NOT_APPLICABLE),
        )

    @property
    def counted(self) -> int:
        return self.yes + self.no

    @property
    def fraction(self) -> float | None:
        """Yes ÷ (yes + no), or None when no check was answered yes or no."""
        return self.yes / self.counted if self.counted else None

    @property
    def percent(self) -> int | None:
        """The score as a whole percentage, halves rounded up."""
        return (200 * self.yes + self.counted) // (2 * self.counted) if self.counted else None


def compliance_scores(audit_ids: Iterable[int]) -> dict[int, ComplianceScore]:
    """The compliance score of each audit with at least one compliance check answered, by
    audit id. One query however many audits."""
    counts = (
        Answer.objects.filter(audit_id__in=list(audit_ids), question__kind=QuestionKind.COMPLIANCE)
        .exclude(compliance="")
        .values("audit_id")
        .annotate(
            yes=Count("pk", filter=Q(compliance=ComplianceAnswer.YES)),
            no=Count("pk", filter=Q(compliance=ComplianceAnswer.NO)),
            not_applicable=Count("pk", filter=Q(compliance=ComplianceAnswer.NOT_APPLICABLE)),
        )
        .order_by()
    )
    return {
        row["audit_id"]: ComplianceScore(
            yes=row["yes"], no=row["no"], not_applicable=row["not_applicable"]
        )
        for row in counts
    }


@dataclass(frozen=True)
class AuditRow:
    """An audit as a list shows it, with its compliance score once it is submitted. Lists show
    `audit.grade_shown` and `score`: both None until the audit is submitted, whoever reads."""

    audit: Audit
    score: ComplianceScore | None


def audit_rows(audits: Iterable[Audit]) -> list[AuditRow]:
    """Rows for a list of audits (a page of one): one query for the scores, asked for every
    row so that the count of queries does not depend on the rows' statuses."""
    audits = list(audits)
    scores = compliance_scores(a.pk for a in audits)
    return [AuditRow(audit=a, score=scores.get(a.pk) if a.is_shared else None) for a in audits]


def in_moderation(audit: Audit) -> bool:
    """Whether the audit has been chosen for moderation (the assurance app's `Moderation`,
    reached by its relation's name so that this app imports nothing of it)."""
    return Audit.objects.filter(pk=audit.pk, moderation__isnull=False).exists()
