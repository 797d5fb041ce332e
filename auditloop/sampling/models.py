"""Six-month cycles, their quotas, sample draws and the audits each cycle planned."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from auditloop.accounts.models import Role
from auditloop.audits.models import AuditType
from auditloop.core.models import PublicIdModel

# The audit types a cycle plans; revisits follow from earlier audits, not from a plan.
PLANNED_TYPES = [
    (AuditType.DIP_SAMPLE.value, AuditType.DIP_SAMPLE.label),
    (AuditType.DEEP_DIVE.value, AuditType.DEEP_DIVE.label),
    (AuditType.THEMATIC.value, AuditType.THEMATIC.label),
]


class Cycle(PublicIdModel):
    """An audit lead's plan for (usually) six months: tools, types, quotas and who audits."""

    name = models.CharField(max_length=150)
    services = models.ManyToManyField("accounts.Service", related_name="cycles")
    starts_on = models.DateField()
    ends_on = models.DateField()
    tools = models.ManyToManyField("audits.ToolVersion", related_name="cycles")
    audit_types = models.JSONField(default=list)
    auditors = models.ManyToManyField("accounts.StaffMember", related_name="cycles_auditing")
    # Audits are due at the end of the month they are planned for, plus this many days.
    due_extension_days = models.PositiveSmallIntegerField(default=0)
    # Moderation: every Inadequate and Outstanding audit, and this share of the rest.
    moderation_percent = models.PositiveSmallIntegerField(
        default=15, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    # An Inadequate agreed grade schedules a revisit this many weeks later.
    revisit_weeks = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    # A cycle audit still not submitted this many days after its due date is escalated to the
    # auditor's manager, and after `late_to_lead_days` to the audit lead (`cycle-remind`).
    late_to_manager_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    late_to_lead_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every save of the cycle's settings, so a save from a page drawn before
    # another one is refused (auditloop.core.versions).
    version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name

    def audit_type_labels(self) -> list[str]:
        labels = dict(PLANNED_TYPES)
        return [labels.get(t, t) for t in self.audit_types]


def role_in_sentence(role: str) -> str:
    """A role's display words inside a sentence: only the first letter lowered, so "Auditor or
    QA officer" reads "auditor or QA officer", never "auditor or qa officer"."""
    label = str(Role(role).label)
    return label[:1].lower() + label[1:]


class QuotaKind(models.TextChoices):
    PER_AUDITOR = "per_auditor", "Each auditor, a month"
    PER_TEAM = "per_team", "Cases from each team, a month"


class Quota(PublicIdModel):
    """One line of a cycle's plan: e.g. each team manager two audits a month, or a dip sample
    of ten cases per team per month."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="quotas")
    kind = models.CharField(max_length=12, choices=QuotaKind.choices)
    audit_type = models.CharField(max_length=12, choices=PLANNED_TYPES)
    per_month = models.PositiveSmallIntegerField()
    # For per-auditor quotas: the role it applies to; blank means every auditor in the pool.
    role = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["kind", "audit_type", "id"]

    def __str__(self) -> str:
        return f"{self.per_month} {self.get_audit_type_display()} ({self.get_kind_display()})"

    @property
    def who(self) -> str:
        if self.kind == QuotaKind.PER_TEAM:
            return "Every team"
        if self.role:
            return f"Each {role_in_sentence(self.role)}"
        return "Everyone in the pool"


class DrawMethod(models.TextChoices):
    DRAWN = "drawn", "Drawn at random"
    CHOSEN = "chosen", "Chosen by the audit lead"


class SampleDraw(PublicIdModel):
    """A stored draw: its filters, seed, frozen population and exclusions, so it can be re-run
    and explained. The population is in `SampleDrawPopulation`, one row per case, in the
    order the draw used.

    Deep dives and thematic audits are chosen, not drawn: a draw with method "chosen" holds
    the cases an audit lead picked, each with the reason, and no population or seed. While
    the lead is still putting the list together it is a draft (one per cycle)."""

    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.PROTECT, related_name="draws"
    )
    filters = models.JSONField(default=dict)
    seed = models.BigIntegerField()
    population_size = models.PositiveIntegerField()
    # Reason -> ids of the cases that matched the filters but were left out for it.
    exclusions = models.JSONField(default=dict)
    # [{"key", "label", "population", "allocated"}, ...] in key order.
    strata = models.JSONField(default=list)
    size = models.PositiveIntegerField()
    confidence = models.FloatField(default=0.95)
    margin_of_error = models.FloatField(null=True, blank=True)
    audit_type = models.CharField(max_length=12, choices=PLANNED_TYPES, blank=True)
    tool_version = models.ForeignKey(
        "audits.ToolVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_month = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=8, choices=DrawMethod.choices, default=DrawMethod.DRAWN)
    theme = models.CharField(max_length=200, blank=True)
    is_draft = models.BooleanField(default=False)
    # Set when "Plan this month" drew this team's share of the per-team quota: the constraint
    # below makes planning the same month twice impossible, even from two browsers at once.
    quota_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"], condition=models.Q(is_draft=True), name="one_pick_list_a_cycle"
            ),
            models.UniqueConstraint(
                fields=["cycle", "planned_month", "audit_type", "quota_team"],
                condition=models.Q(quota_team__isnull=False),
                name="one_quota_draw_a_team_a_month",
            ),
        ]

    def __str__(self) -> str:
        return f"sample draw {self.public_id}"


class SampleDrawPopulation(models.Model):
    """One case of a draw's frozen population: its place in the order the draw used (from 1)
    and its stratum. Keyed by (draw, position), so a draw's population is one range of the
    key and a national draw's 400,000 cases are 400,000 narrow rows, not one JSON value that
    every read of the draw would carry."""

    pk = models.CompositePrimaryKey("draw", "position")
    # The key's first column indexes the draw: no second index for the foreign key. No
    # database constraint either, for the reason the case has none (below): the rows are
    # written by one INSERT ... SELECT that names the draw just created in the same
    # transaction, and the product never deletes a draw (the ORM's CASCADE still removes
    # its rows if anyone does). PostgreSQL checks a foreign key row by row at commit: on a
    # national draw that was 400,000 checks of the draw row, a third of the commit's time.
    draw = models.ForeignKey(
        SampleDraw,
        on_delete=models.CASCADE,
        related_name="frozen_population",
        db_index=False,
        db_constraint=False,
    )
    position = models.PositiveIntegerField()
    # No database constraint on the case, on purpose. The rows are copied from the case table
    # by one INSERT ... SELECT (`population_store`), so every case exists when it is frozen;
    # the product never deletes a case (retention moves audits to anonymous stand-ins), and
    # Django's PROTECT still refuses a delete made through the ORM. A database constraint
    # added nothing to that, and cost a national draw 400,000 checks at commit, each locking
    # a live case row: it doubled the time of saving a draw of 400,000 cases.
    case = models.ForeignKey(
        "cases.ChildCase",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    stratum = models.CharField(max_length=64)

    class Meta:
        ordering = ["draw", "position"]

    def __str__(self) -> str:
        return f"draw {self.draw_id} population {self.position}"


class SampleDrawCase(models.Model):
    """One chosen case and why: its stratum and where it came in the draw, or, for a case an
    audit lead chose, the reason they gave and who added it."""

    draw = models.ForeignKey(SampleDraw, on_delete=models.CASCADE, related_name="chosen")
    case = models.ForeignKey("cases.ChildCase", on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=64)
    stratum_label = models.CharField(max_length=150)
    position = models.PositiveIntegerField()
    position_in_stratum = models.PositiveIntegerField()
    auditor = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unassigned_reason = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["draw", "position"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "position"], name="draw_position_unique"),
            models.UniqueConstraint(fields=["draw", "case"], name="draw_case_unique"),
        ]

    def __str__(self) -> str:
        return f"draw {self.draw_id} position {self.position}"


class CycleAudit(models.Model):
    """Links an audit to the cycle (and draw) that planned it, without changing Audit."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="cycle_audits")
    audit = models.OneToOneField(
        "audits.Audit", on_delete=models.CASCADE, related_name="cycle_link"
    )
    draw = models.ForeignKey(
        SampleDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="cycle_audits"
    )
    planned_month = models.DateField(help_text="The first day of the month it is planned for.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_month", "id"]
        indexes = [models.Index(fields=["cycle", "planned_month"])]

    def __str__(self) -> str:
        return f"cycle {self.cycle_id} audit {self.audit_id}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"


class ReminderSent(models.Model):
    """What `auditloop cycle-remind` sent, so a second run on the same day sends nothing."""

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "sent_on"], name="reminder_once_a_day")
        ]

    def __str__(self) -> str:
        return f"reminder {self.kind} {self.sent_on}"


class LateStep(models.TextChoices):
    MANAGER = "manager", "The auditor's manager"
    LEAD = "lead", "The audit lead"


class LateEscalation(models.Model):
    """A late cycle audit escalated one step to one person (`auditloop cycle-remind`): the day
    it first reached them, and the last day they were told, so they are told at most once a
    day. While the audit stays late it shows on their home page."""

    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.CASCADE, related_name="late_escalations"
    )
    step = models.CharField(max_length=8, choices=LateStep.choices)
    recipient = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.CASCADE, related_name="late_escalations"
    )
    escalated_on = models.DateField()
    notified_on = models.DateField()

    class Meta:
        ordering = ["escalated_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "step", "recipient"], name="late_escalation_once_a_step"
            )
        ]

    def __str__(self) -> str:
        return f"late escalation {self.step} {self.escalated_on}"
