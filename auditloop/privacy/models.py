"""Data protection's records: the retention schedule (one rule per kind of record), legal
holds on a child's case, the case files that stand in for a child's once their audits are
anonymised; searches of who has read a child's records, and the council's thresholds for
unusual reading."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from auditloop.core.models import PublicIdModel
from auditloop.privacy.rules.retention import (
    ANCHOR_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    Anchor,
    Outcome,
    RecordKind,
    period_words,
)


class AccessReview(PublicIdModel):
    """One search of who has read a child's records, kept for a short while so that its pages
    can be turned without the child's ID going into a URL: the pages are found by this row's
    random public id, only by the person who searched, and only until it expires."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey("cases.ChildCase", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        # Never the child's ID.
        return f"access review {self.public_id}"


def default_exempt_roles() -> list[str]:
    """The DPO reads any child's records to answer for them; nobody else is exempt until the
    council says so."""
    return ["data_protection"]


class ReadingThresholds(models.Model):
    """The council's thresholds for the unusual reading report: one row (pk 1), set by the
    Data Protection Officer or an administrator."""

    cases_per_day = models.PositiveIntegerField(
        default=20, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    # Roles never flagged (their values, e.g. "data_protection").
    exempt_roles = models.JSONField(default=default_exempt_roles, blank=True)
    # Whether a child only named on a list (a case list, a sample, a list of audits, an API
    # page) counts as read; by default only records opened one at a time count.
    count_lists = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "unusual reading thresholds"
        verbose_name_plural = "unusual reading thresholds"

    def __str__(self) -> str:
        return "unusual reading thresholds"


class RetentionRule(PublicIdModel):
    """How long one kind of record is kept, counted from which event, and what then happens.
    The defaults (`auditloop.privacy.rules.retention.DEFAULTS`) are seeded on first read; the
    council confirms or changes each."""

    kind = models.CharField(max_length=20, choices=list(KIND_LABELS.items()), unique=True)
    years = models.PositiveSmallIntegerField()
    months = models.PositiveSmallIntegerField(default=0)
    anchor = models.CharField(
        "counted from", max_length=20, choices=[(a.value, ANCHOR_LABELS[a]) for a in Anchor]
    )
    outcome = models.CharField(
        "at the end", max_length=10, choices=[(o.value, OUTCOME_LABELS[o]) for o in Outcome]
    )
    # The guidance the default follows, or the council's own reason for its choice.
    basis = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "retention rule"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"retention rule {self.kind}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[RecordKind(self.kind)]

    @property
    def period(self) -> str:
        return period_words(self.years, self.months)

    @property
    def anchor_label(self) -> str:
        return ANCHOR_LABELS[Anchor(self.anchor)]


class LegalHold(PublicIdModel):
    """While a hold is on, nothing about the case is deleted or anonymised by the schedule."""

    case = models.ForeignKey("cases.ChildCase", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    set_by = models.ForeignKey("accounts.StaffMember", on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = "legal hold"
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(removed_at__isnull=True),
                name="legal_hold_one_active_per_case",
            )
        ]

    def __str__(self) -> str:
        # Never the child's ID: str() ends up in logs and event summaries.
        return f"legal hold {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class AnonymousCase(models.Model):
    """Marks a case file made by the retention run to stand in for a child's: its audits have
    been anonymised and the schedule does not count them again."""

    case = models.OneToOneField(
        "cases.ChildCase", on_delete=models.CASCADE, related_name="retention_stand_in"
    )
    # The dates the schedule counts from, kept off the case file (which names no date) only so
    # that what is still kept about the audits (a flag kept to the child's 25th birthday) comes
    # due on time.
    born_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "anonymous case file"

    def __str__(self) -> str:
        return f"anonymous case file {self.case_id}"
