"""Reports: the targets the council sets for its grades, and each cycle review issued.

A cycle review is built from the figures at the time it is issued and kept unchanged: the
bytes issued are the bytes downloaded again, whatever happens to the audits afterwards (a
committee paper is a record). The committee's version is anonymised and small groups in it
suppressed; the leaders' version names teams. Neither names a child; the committee's names no
member of staff.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from auditloop.core.models import PublicIdModel


class TargetMeasure(models.TextChoices):
    # "No more than 10% Inadequate", "At least 40% Good or better" (Gloucestershire's).
    INADEQUATE_AT_MOST = "inadequate_at_most", "No more than this share Inadequate"
    GOOD_AT_LEAST = "good_at_least", "At least this share Good or better"


class Target(PublicIdModel):
    """A target the council sets for the overall grades that count: council-wide when
    `service` is blank, else for one service (which then takes precedence there)."""

    measure = models.CharField(max_length=20, choices=TargetMeasure.choices)
    percent = models.PositiveSmallIntegerField()
    service = models.ForeignKey(
        "accounts.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    set_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["measure", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "service"],
                condition=models.Q(service__isnull=False),
                name="reports_target_one_per_measure_and_service",
            ),
            models.UniqueConstraint(
                fields=["measure"],
                condition=models.Q(service__isnull=True),
                name="reports_target_one_council_wide_per_measure",
            ),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="reports_target_percent_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}: {self.percent}%"


class Audience(models.TextChoices):
    COMMITTEE = "committee", "Committee (anonymised)"
    LEADERS = "leaders", "Leaders (with team names)"


class ReviewFormat(models.TextChoices):
    HTML = "html", "Web page (HTML)"
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (docx)"


class ReviewStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be built"
    BUILDING = "building", "Being built"
    ISSUED = "issued", "Issued"
    FAILED = "failed", "Failed"


class CycleReview(PublicIdModel):
    """One version of a cycle review, as asked for and then issued: built in the background
    (`progress` out of 100, with words for the step), then kept byte for byte in `content`,
    with its SHA-256, who issued it and when."""

    cycle = models.ForeignKey("sampling.Cycle", on_delete=models.PROTECT, related_name="reviews")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    format = models.CharField(max_length=4, choices=ReviewFormat.choices)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=150, blank=True)
    failure = models.TextField(blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["cycle", "audience", "status"])]

    def __str__(self) -> str:
        return f"Cycle review ({self.get_audience_display()}, {self.get_format_display()})"
