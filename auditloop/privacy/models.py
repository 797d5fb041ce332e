"""The privacy app's records."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from auditloop.core.models import PublicIdModel


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
