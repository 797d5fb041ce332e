"""Learning from audit: what the audits are for.

An auditor or moderator marks learning points in an audit (good practice to share, or an area
for development, each with its question and themes from the audit lead's theme list). An audit
lead compiles them into key messages for a cycle, a service or a team: drafted, reviewed by a
second person with every name and identifier redacted, published to the practitioners and
managers concerned, and acknowledged by each. Rules the audit lead sets raise training needs
from the figures; training events and who attended are recorded, and later audits show whether
the training made a difference.

No text leaves an individual's own audit unredacted: a learning point is read only with its
audit; what is shown anywhere else (key messages, briefings, examples, suggestions) passes
through `auditloop.learning.redaction` first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from auditloop.core.models import PublicIdModel


class Theme(PublicIdModel):
    """One entry of the theme list the audit leads keep ("voice of the child", "drift")."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LearningPointKind(models.TextChoices):
    GOOD_PRACTICE = "good_practice", "Good practice to share"
    CONCERN = "concern", "Area for development"


class LearningPoint(PublicIdModel):
    """A learning point an auditor or moderator marked in an audit. Its text is written about
    one child's case and may name people: it is read only with its audit, and leaves it only
    redacted."""

    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.CASCADE, related_name="learning_points"
    )
    # The question (domain) it is about; blank for the audit as a whole.
    question = models.ForeignKey(
        "audits.Question",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="learning_points",
    )
    kind = models.CharField(max_length=14, choices=LearningPointKind.choices)
    text = models.TextField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="learning_points")
    author = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="learning_points"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"learning point {self.public_id}"


class ThemeSuggestionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ThemeSuggestion(PublicIdModel):
    """A theme the product proposes for learning points nobody tagged, found by grouping
    similar notes (offline). Accepting tags the points with `theme` (an existing theme, or one
    made from `label`); rejecting leaves them as they were."""

    label = models.CharField(max_length=120)
    # The words that the grouped notes share, most telling first (never a name: the notes are
    # redacted before they are grouped).
    terms = models.JSONField(default=list)
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    points = models.ManyToManyField(LearningPoint, related_name="theme_suggestions")
    status = models.CharField(
        max_length=10,
        choices=ThemeSuggestionStatus.choices,
        default=ThemeSuggestionStatus.PROPOSED,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"theme suggestion {self.public_id}"


class KeyMessageStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The four parts of a one-page briefing in the "7-minute briefing" style, in order.
BRIEFING_PARTS = ("what_we_found", "why_it_matters", "what_good_looks_like", "what_to_do_next")


class KeyMessage(PublicIdModel):
    """Key messages from a cycle's audits, for the whole council, a service or a team.

    `figures` freezes what was compiled (the strongest practice and commonest areas for
    development by domain and theme, with counts and the trend against the previous cycle), so
    that a published message keeps saying what its readers read; a number suppressed so that
    no one can be identified is frozen as null (its shape: `rules.key_messages.counts_figures`).
    The four briefing parts and `examples` are written by the audit lead from the compiled
    draft; the reviewer (never the author) sees every redaction, highlighted, can redact more
    (`redaction_added`) or undo one (`redaction_kept`), and publishes. `published_text` holds
    the redacted text the readers see, by part, with the examples under "examples"."""

    title = models.CharField(max_length=200)
    cycle = models.ForeignKey(
        "sampling.Cycle", on_delete=models.PROTECT, related_name="key_messages"
    )
    # Whom it is for: a team, a service, or (both blank) every service the cycle covers.
    service = models.ForeignKey(
        "accounts.Service",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_messages",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_messages",
    )
    status = models.CharField(
        max_length=10,
        choices=KeyMessageStatus.choices,
        default=KeyMessageStatus.DRAFT,
        db_index=True,
    )
    figures = models.JSONField(default=dict, blank=True)
    what_we_found = models.TextField(blank=True)
    why_it_matters = models.TextField(blank=True)
    what_good_looks_like = models.TextField(blank=True)
    what_to_do_next = models.TextField(blank=True)
    # Short anonymised examples drawn from learning points: [{"kind": ..., "domain": ...,
    # "text": ...}], the text redacted when drawn and again when published.
    examples = models.JSONField(default=list, blank=True)
    source_points = models.ManyToManyField(LearningPoint, blank=True, related_name="+")
    # The reviewer's changes to the automatic redaction: strings to redact as well, each with
    # its label ([{"text": ..., "label": ...}]), and strings the automatic redaction took that
    # are not identifying here ([{"text": ..., "label": ...}]). A known staff name can never
    # be kept: publishing is refused while one is in the text.
    redaction_added = models.JSONField(default=list, blank=True)
    redaction_kept = models.JSONField(default=list, blank=True)
    published_text = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="key_messages_written"
    )
    reviewer = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="key_messages_reviewed",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    # Why the reviewer sent it back to its author (the latest time), shown to the author.
    return_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class KeyMessageRecipient(models.Model):
    """A practitioner or manager a published key message went to, and their acknowledgement."""

    key_message = models.ForeignKey(KeyMessage, on_delete=models.CASCADE, related_name="recipients")
    staff = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="key_messages_received"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["key_message", "staff__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key_message", "staff"], name="learning_one_recipient_row_per_staff"
            )
        ]

    def __str__(self) -> str:
        return f"recipient of {self.key_message.public_id}"


class TrainingRuleKind(models.TextChoices):
    # A domain graded at or below `grade_value` in more than `percent` of a team's audits in
    # the cycle (e.g. Requires improvement or worse in more than 30%).
    DOMAIN_SHARE = "domain_share", "A domain graded low in a share of a team's audits"
    # A theme in more than `count` of a team's audits in the cycle.
    THEME_COUNT = "theme_count", "A theme in a number of a team's audits"


class TrainingRule(PublicIdModel):
    """A rule the audit lead sets that raises training needs from a cycle's figures."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=14, choices=TrainingRuleKind.choices)
    # DOMAIN_SHARE: the domain (blank: any graded domain), the grade value at or below which an
    # answer counts (2 = Requires improvement on the four-point scale), and the share.
    question = models.ForeignKey(
        "audits.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grade_value = models.PositiveSmallIntegerField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    # THEME_COUNT: the theme (blank: any theme) and the number of audits it must exceed.
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="training_rules"
    )
    count = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingEvent(PublicIdModel):
    """A training session held, about a domain and/or a theme, and who attended it."""

    title = models.CharField(max_length=200)
    held_on = models.DateField(db_index=True)
    provider = models.CharField(max_length=150, blank=True)
    description = models.TextField(blank=True)
    question = models.ForeignKey(
        "audits.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="training_events"
    )
    created_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "title"]

    def __str__(self) -> str:
        return self.title


class TrainingNeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    PLANNED = "planned", "Training planned"
    MET = "met", "Met"
    DISMISSED = "dismissed", "Dismissed"


class TrainingNeed(PublicIdModel):
    """A training need a rule raised for a team in a cycle, with the evidence behind it
    (`evidence`: the counts and shares the rule saw, never a child or a worker)."""

    rule = models.ForeignKey(
        TrainingRule, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    cycle = models.ForeignKey(
        "sampling.Cycle", on_delete=models.PROTECT, related_name="training_needs"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.ForeignKey(
        "audits.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="training_needs"
    )
    title = models.CharField(max_length=200)
    evidence = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10,
        choices=TrainingNeedStatus.choices,
        default=TrainingNeedStatus.OPEN,
        db_index=True,
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        "accounts.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    events = models.ManyToManyField(TrainingEvent, blank=True, related_name="needs")

    class Meta:
        ordering = ["-raised_at", "id"]
        constraints = [
            # Raising needs again for the same cycle changes nothing.
            models.UniqueConstraint(
                fields=["rule", "cycle", "team", "question", "theme"],
                name="learning_one_need_per_rule_cycle_team_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AttendanceSource(models.TextChoices):
    FORM = "form", "Recorded on the form"
    IMPORT = "import", "Imported"


class TrainingAttendance(models.Model):
    """One member of staff's attendance at a training event."""

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="attendance")
    staff = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="training_attended"
    )
    source = models.CharField(
        max_length=6, choices=AttendanceSource.choices, default=AttendanceSource.FORM
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "staff__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "staff"], name="learning_one_attendance_per_staff"
            )
        ]

    def __str__(self) -> str:
        return f"attendance at {self.event.public_id}"
