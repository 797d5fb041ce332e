"""Children's case files. No names: the LA child ID (a string), cohort, allocation, key dates."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper

from auditloop.core.models import PublicIdModel


class Cohort(models.TextChoices):
    CIN = "CIN", "Child in need"
    CP = "CP", "Child protection"
    CLA = "CLA", "Looked after"
    CL = "CL", "Care leaver"


class ChildCase(PublicIdModel):
    # Kept as text: leading zeros and letters are part of a council's IDs.
    la_child_id = models.CharField("LA child ID", max_length=64, unique=True)
    cohort = models.CharField(max_length=3, choices=Cohort.choices, db_index=True)
    allocated_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    allocated_worker = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The worker's name as the source gave it, kept when it matches no staff member.
    allocated_worker_name = models.CharField(max_length=150, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    disability = models.CharField(max_length=20, blank=True)
    referral_date = models.DateField(null=True, blank=True)
    assessment_completed = models.DateField(null=True, blank=True)
    cp_plan_start = models.DateField("CP plan start", null=True, blank=True)
    cla_start = models.DateField("Looked after since", null=True, blank=True)
    last_statutory_visit = models.DateField(null=True, blank=True)
    last_seen_alone = models.DateField(null=True, blank=True)
    latest_review = models.DateField(null=True, blank=True)
    last_health_assessment = models.DateField(null=True, blank=True)
    latest_pathway_plan_review = models.DateField(null=True, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(default=True, db_index=True)
    # What the imports know (issue 3): the Annex A lists the case was on in the latest import
    # ("6,7"), the team as the source named it, when an import last created or changed it, and
    # the day a later snapshot no longer listed it (the case is then closed, its history kept).
    source_lists = models.CharField(max_length=40, blank=True)
    allocated_team_name = models.CharField(max_length=150, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    no_longer_listed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["la_child_id"]
        indexes = [
            models.Index(fields=["allocated_team", "is_open"]),
            # Planning an audit finds a case by its ID ignoring capitals (iexact is UPPER()).
            models.Index(Upper("la_child_id"), name="childcase_child_id_upper"),
            # The case files an Annex A snapshot governs: open, and listed by an earlier one.
            # An import closes those its snapshot leaves out by walking this index alone, so
            # its time never grows with the rest of a region's cases (imports/services/
            # annex_a.py renders this condition from the index itself, for SQLite's planner).
            models.Index(
                fields=["la_child_id"],
                condition=models.Q(is_open=True) & ~models.Q(source_lists=""),
                name="childcase_listed_open",
            ),
        ]

    def __str__(self) -> str:
        # Never a child's ID: str() ends up in logs and event summaries.
        return f"case {self.public_id}"
