"""Imports of the council's own lists: one ImportRun per file, with the problems found in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from auditloop.core.models import PublicIdModel


class ImportKind(models.TextChoices):
    ANNEX_A = "annex_a", "Ofsted Annex A workbook (xlsx)"
    SSDA903 = "ssda903", "SSDA903 looked-after return (CSV)"
    CIN = "cin", "Children in need census (XML)"
    STAFF = "staff", "Staff list (CSV)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    IMPORTED = "imported", "Imported"
    UNCHANGED = "unchanged", "Unchanged"
    REJECTED = "rejected", "Rejected"
    # The import stopped on a fault of ours, not of the file; nothing was written.
    FAILED = "failed", "Failed"
    # Its process ended before it finished (killed, the server stopped): its one transaction
    # was rolled back, so nothing was written (auditloop/imports/holding.py).
    INTERRUPTED = "interrupted", "Interrupted"


FINISHED_STATUSES = frozenset(
    {
        ImportStatus.IMPORTED,
        ImportStatus.UNCHANGED,
        ImportStatus.REJECTED,
        ImportStatus.FAILED,
        ImportStatus.INTERRUPTED,
    }
)


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"


class ImportRun(PublicIdModel):
    kind = models.CharField(max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(max_length=255)
    # SHA-256 of the file's bytes: the same file twice changes nothing.
    digest = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        max_length=11, choices=ImportStatus.choices, default=ImportStatus.QUEUED, db_index=True
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # Case files a later Annex A snapshot no longer listed (counted in `updated` too).
    closed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    # The key of the lock the process running this import holds (auditloop/imports/holding.py):
    # a run still running whose lock nobody holds was interrupted.
    holder = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The uploaded file, held only until a background run has read it.
    content = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.public_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class ImportIssue(models.Model):
    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    sheet = models.CharField(max_length=255, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True)
    column = models.CharField(max_length=255, blank=True)
    value = models.CharField(max_length=255, blank=True)
    message = models.CharField(max_length=500)
    severity = models.CharField(max_length=7, choices=Severity.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.message
