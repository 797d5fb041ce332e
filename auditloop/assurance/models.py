"""Quality assurance of audits: the moderation sample and the blind regrade, the audit group's
meetings, calibration exercises. Revisits are audits (`Audit.revisit_of`); the agreed grades
that moderation settles are kept on the audit beside the auditor's (`Audit.agreed_overall_grade`,
`Answer.agreed_grade`), so that every part of the product reads the grade that counts through
`Audit.grade_counted` without knowing about moderation. This app holds the moderator's grades
and the reasons."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from auditloop.core.models import PublicIdModel


class ModerationSample(PublicIdModel):
    """One drawing of a cycle's moderation sample, stored like a sampling draw: the seed and
    population it was drawn from, so that it can be checked and repeated, and a reason for each
    audit chosen (`Moderation.reason`)."""

    cycle = models.ForeignKey(
        "sampling.Cycle", on_delete=models.PROTECT, related_name="moderation_samples"
    )
    seed = models.BigIntegerField()
    # The share of the audits that are neither Inadequate nor Outstanding chosen at random.
    percent = models.PositiveSmallIntegerField()
    # The audits considered: the cycle's submitted or completed audits not in an earlier sample.
    population_size = models.PositiveIntegerField()
    population_ids = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"moderation sample {self.public_id}"


class ModerationRequestStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the next moderation sample"
    TAKEN = "taken", "In a moderation sample"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ModerationRequest(PublicIdModel):
    """A team manager's or auditor's request that an audit be moderated, with their reason."""

    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.PROTECT, related_name="moderation_requests"
    )
    requested_by = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="moderation_requests"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=10,
        choices=ModerationRequestStatus.choices,
        default=ModerationRequestStatus.WAITING,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"moderation request {self.public_id}"


class ModerationReason(models.TextChoices):
    INADEQUATE = "inadequate", "Graded Inadequate"
    OUTSTANDING = "outstanding", "Graded Outstanding"
    RANDOM = "random", "Chosen at random"
    REQUESTED = "requested", "Asked for"


class ModerationStatus(models.TextChoices):
    # Chosen, waiting for a moderator to be given it.
    UNASSIGNED = "unassigned", "Waiting for a moderator"
    # The moderator regrades blind: they do not see the auditor's grades yet.
    REGRADING = "regrading", "Regrading"
    # Both sets of grades are shown side by side; moderator and auditor agree a grade.
    AGREEING = "agreeing", "Agreeing a grade"
    AGREED = "agreed", "Agreed"
    # They could not agree: the head of service decides.
    ESCALATED = "escalated", "With the head of service"
    DECIDED = "decided", "Decided by the head of service"


class Moderation(PublicIdModel):
    """The second look at one audit. The moderator's grades live here (overall, and per
    question in `ModeratorGrade`); the agreed grades are written to the audit, with their
    reasons here."""

    audit = models.OneToOneField(
        "audits.Audit", on_delete=models.PROTECT, related_name="moderation"
    )
    sample = models.ForeignKey(
        ModerationSample,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderations",
    )
    reason = models.CharField(max_length=12, choices=ModerationReason.choices)
    request = models.OneToOneField(
        ModerationRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderation",
    )
    status = models.CharField(
        max_length=12,
        choices=ModerationStatus.choices,
        default=ModerationStatus.UNASSIGNED,
        db_index=True,
    )
    moderator = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderations",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    moderator_overall_grade = models.ForeignKey(
        "audits.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderator_notes = models.TextField(blank=True)
    regraded_at = models.DateTimeField(null=True, blank=True)
    # Why the agreed overall grade is what it is (agreed, or decided by the head of service).
    agreed_reason = models.TextField(blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    # The agreed overall grade the moderator recorded after meeting the auditor, waiting for the
    # auditor to confirm it; only then is it written to the audit (`Audit.agreed_overall_grade`).
    proposed_overall_grade = models.ForeignKey(
        "audits.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.TextField(blank=True)
    escalated_by = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderations_escalated",
    )
    escalated_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderations_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why the head of service (or the senior leader deciding) chose the overall grade.
    decided_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["moderator", "status"])]

    def __str__(self) -> str:
        return f"moderation {self.public_id}"


class ModeratorGrade(models.Model):
    """The moderator's blind grade for one graded question, and the reason for the agreed
    grade (the agreed grade itself is `Answer.agreed_grade`)."""

    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="grades")
    question = models.ForeignKey("audits.Question", on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey("audits.Grade", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    # The agreed grade the moderator recorded for this question, waiting for the auditor's
    # confirmation (then written to `Answer.agreed_grade`), and why.
    proposed_grade = models.ForeignKey(
        "audits.Grade", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_reason = models.TextField(blank=True)
    # Why the head of service (or senior leader) decided this question's grade, when in dispute.
    decided_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["question__section__order", "question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["moderation", "question"], name="moderator_grade_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"moderator grade {self.pk}"


class MeetingKind(models.TextChoices):
    AUDIT_GROUP = "audit_group", "Audit group moderation meeting"
    MANAGERS = "managers", "Managers' moderation in a service"


class ModerationMeeting(PublicIdModel):
    """A moderation meeting: who attended, the audits discussed and the learning noted."""

    kind = models.CharField(max_length=12, choices=MeetingKind.choices)
    # Managers' moderation is held within one service; the audit group looks across services.
    service = models.ForeignKey(
        "accounts.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField()
    attendees = models.ManyToManyField("accounts.StaffMember", related_name="moderation_meetings")
    learning = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"moderation meeting {self.public_id}"


class MeetingOutcome(models.TextChoices):
    GRADE_CONFIRMED = "confirmed", "Grade confirmed"
    GRADE_CHANGED = "changed", "Grade changed"
    SENT_TO_HEAD = "escalated", "Sent to the head of service"
    MORE_WORK = "more_work", "More work needed before a decision"


class MeetingItem(models.Model):
    """One audit discussed at a moderation meeting, and the outcome for it."""

    meeting = models.ForeignKey(ModerationMeeting, on_delete=models.CASCADE, related_name="items")
    audit = models.ForeignKey("audits.Audit", on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=12, choices=MeetingOutcome.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "audit"], name="meeting_item_once")
        ]

    def __str__(self) -> str:
        return f"meeting item {self.pk}"


class CalibrationExercise(PublicIdModel):
    """One case audited independently by several auditors, to compare their judgements. Each
    auditor's audit is an `Audit` of type calibration (`CalibrationEntry`); none sees another's
    answers until all have submitted."""

    title = models.CharField(max_length=150)
    case = models.ForeignKey("cases.ChildCase", on_delete=models.PROTECT, related_name="+")
    tool_version = models.ForeignKey(
        "audits.ToolVersion", on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="calibrations_set"
    )
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"calibration exercise {self.public_id}"


class CalibrationEntry(models.Model):
    exercise = models.ForeignKey(
        CalibrationExercise, on_delete=models.CASCADE, related_name="entries"
    )
    audit = models.OneToOneField(
        "audits.Audit", on_delete=models.PROTECT, related_name="calibration_entry"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"calibration entry {self.pk}"


# The practitioner's experience of being audited ------------------------------------------------


class Agreement(models.TextChoices):
    STRONGLY_AGREE = "strongly_agree", "Strongly agree"
    AGREE = "agree", "Agree"
    NEITHER = "neither", "Neither agree nor disagree"
    DISAGREE = "disagree", "Disagree"
    STRONGLY_DISAGREE = "strongly_disagree", "Strongly disagree"


class ExperienceRole(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner whose case was audited"
    MANAGER = "manager", "Manager who took part in the deep dive"


class ExperienceAsked(models.Model):
    """That a person whose practice was audited answered (or chose not to answer) the questions
    about the audit. It records that they were done with the question, never what they said:
    their answers are an `ExperienceResponse`, kept apart so that none is traced to them."""

    audit = models.ForeignKey("audits.Audit", on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey("accounts.StaffMember", on_delete=models.CASCADE, related_name="+")
    answered = models.BooleanField()
    on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "staff"], name="experience_asked_once")
        ]

    def __str__(self) -> str:
        return f"experience asked {self.pk}"


class ExperienceResponse(models.Model):
    """One person's answers about being audited, unattributed: no person, no audit, no date or
    time; only what the reports group by (cycle, service, audit type, the role they answered
    in). Answers are never shown to anyone attributed to a person."""

    cycle = models.ForeignKey(
        "sampling.Cycle", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    service = models.ForeignKey(
        "accounts.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audit_type = models.CharField(max_length=12)
    role = models.CharField(max_length=12, choices=ExperienceRole.choices)
    supportive = models.CharField(max_length=17, choices=Agreement.choices)
    feedback_useful = models.CharField(max_length=17, choices=Agreement.choices)
    alongside = models.CharField(max_length=17, choices=Agreement.choices)
    do_differently = models.TextField(blank=True)

    class Meta:
        # Stored in no order that follows who answered when: reports read them grouped.
        indexes = [models.Index(fields=["cycle", "service"])]

    def __str__(self) -> str:
        return f"experience response {self.pk}"
