"""Data protection's records: the retention schedule (one rule per kind of record), legal
holds on a child's case, and the case files that stand in for a child's once their audits are
anonymised."""

from __future__ import annotations

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
