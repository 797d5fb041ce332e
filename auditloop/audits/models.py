"""Audit tools (versioned), audits, answers, deep-dive participants, escalations, actions,
feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from auditloop.accounts.models import Role
from auditloop.core.models import PublicIdModel


class GradingScale(PublicIdModel):
    """A configurable scale: Ofsted's four grades by default, 0-10 scaling as an alternative."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    # Larger value = better practice, so scales can be compared and charted.
    higher_is_better = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    scale = models.ForeignKey(GradingScale, on_delete=models.CASCADE, related_name="grades")
    code = models.CharField(max_length=20)
    label = models.CharField(max_length=60)
    value = models.IntegerField(help_text="Position on the scale; higher is better practice.")
    # An inadequate grade triggers moderation and re-audit by default.
    is_inadequate = models.BooleanField(default=False)
    # A question given this grade needs an action, or a reason why none is needed, before the
    # audit is submitted: Requires improvement and Inadequate on Ofsted's scale, 0 to 5 on the
    # 0-10 scale. Set per grade so that any scale a council builds can say which of its grades
    # fall short, whatever their number and values.
    needs_action = models.BooleanField(default=False)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["scale", "-value"]
        constraints = [models.UniqueConstraint(fields=["scale", "code"], name="grade_code_unique")]

    def __str__(self) -> str:
        return self.label


class ToolKind(models.TextChoices):
    COMPLIANCE = "compliance", "Compliance dip sample"
    QUALITY = "quality", "Quality deep dive"
    MIXED = "mixed", "Compliance and quality"


class AuditTool(PublicIdModel):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=ToolKind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> ToolVersion | None:
        return self.versions.filter(is_published=True).order_by("-number").first()


class FamilyViewAsked(models.TextChoices):
    DEEP_DIVES = "deep_dives", "On deep dives only"
    EVERY_AUDIT = "every_audit", "On every audit with this tool"


class ToolVersion(PublicIdModel):
    """A frozen set of sections and questions. An audit keeps the version it started on."""

    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    grading_scale = models.ForeignKey(GradingScale, on_delete=models.PROTECT, related_name="+")
    # Shown to auditors answering an audit.
    guidance = models.TextField(blank=True)
    # For those who edit audit tools only (what still needs checking, say); auditors never see it.
    lead_note = models.TextField(blank=True)
    change_note = models.TextField(blank=True)
    # When the auditor asks the child and their family for their view (`FamilyQuestion`s).
    family_view_asked = models.CharField(
        max_length=12, choices=FamilyViewAsked.choices, default=FamilyViewAsked.DEEP_DIVES
    )
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every change to a draft (its sections, questions and scale), so a change
    # from a page drawn before another is refused (auditloop.core.versions).
    version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["tool", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "number"], name="tool_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tool.name}, version {self.number}"


class Section(models.Model):
    version = models.ForeignKey(ToolVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    title = models.CharField(max_length=150)

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    COMPLIANCE = "compliance", "Compliance check (yes, no, not applicable)"
    GRADED = "graded", "Graded quality judgement"


class Question(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField()
    code = models.CharField(max_length=10)
    text = models.TextField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    basis = models.TextField(blank=True, help_text="The statutory or practice basis.")
    applies_to = models.CharField(max_length=120, blank=True)
    guidance = models.TextField(blank=True)
    # Grade code -> what that grade looks like for this question, shown to the auditor.
    descriptors = models.JSONField(default=dict, blank=True)
    # A "No" on this check alerts the team manager the same day.
    alert_on_no = models.BooleanField(default=False)

    class Meta:
        ordering = ["section__order", "order"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class AuditType(models.TextChoices):
    DIP_SAMPLE = "dip_sample", "Dip sample"
    DEEP_DIVE = "deep_dive", "Deep dive"
    THEMATIC = "thematic", "Thematic"
    REVISIT = "revisit", "Revisit"
    # One of several independent audits of the same case in a calibration exercise.
    CALIBRATION = "calibration", "Calibration"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    COMPLETED = "completed", "Completed"


# Until an audit is submitted (planned, in progress, or returned to its auditor) it is a draft:
# only its auditor and the audit leads read it. From submission on, the practitioner, their
# managers and senior leaders may read it too, with its grade.
SHARED_STATUSES = (AuditStatus.SUBMITTED, AuditStatus.COMPLETED)


class Audit(PublicIdModel):
    case = models.ForeignKey("cases.ChildCase", on_delete=models.PROTECT, related_name="audits")
    tool_version = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="audits")
    audit_type = models.CharField(max_length=12, choices=AuditType.choices)
    theme = models.CharField(max_length=150, blank=True)
    status = models.CharField(
        max_length=12, choices=AuditStatus.choices, default=AuditStatus.PLANNED, db_index=True
    )
    auditor = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="audits_as_auditor"
    )
    # Who held the case, and in which team, when the audit was created: feedback goes to them.
    practitioner = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits_as_practitioner",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="audits"
    )
    revisit_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="revisits"
    )
    due_date = models.DateField(null=True, blank=True)
    # Deep dives: the day the auditor met the social worker (and their manager).
    meeting_date = models.DateField(null=True, blank=True)
    # The auditor's overall grade. Moderation never overwrites it: the grade the moderator and
    # auditor agree (or the head of service decides) is kept beside it, and counts once set.
    overall_grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_overall_grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Why a revisit was scheduled (an agreed Inadequate grade, or an audit lead's reason).
    revisit_reason = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    impact_on_child = models.TextField(blank=True)
    practitioner_reflection = models.TextField(blank=True)
    return_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Moved on by every save of the draft, so a save from a page drawn before another one is
    # refused rather than silently overwriting it (auditloop.core.versions).
    version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["auditor", "status"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["practitioner", "status"]),
            # The retention rules counted from an audit's completion (privacy/selectors/
            # retention.py `records_due`: audits, answers, replies, experience asked, completed
            # before the cut-off): without it the dry run read every case or audit of a national
            # council to find the few, or none, completed six years ago.
            models.Index(fields=["completed_at"]),
            # The lists' order (newest first, `AUDITS_ORDER`): an audit lead's or a senior
            # leader's list, which their services make most of the table, reads the audits in it
            # and stops at the page; without it PostgreSQL sorted every audit (200,000 on the
            # national council, on disk) for the API's first page.
            models.Index(fields=["created_at", "id"]),
        ]

    # Whether the person reading is this audit's moderator, still regrading it blind: set for
    # them by the scoped reads (`auditloop.audits.access.audits.with_grades_hidden`). While it
    # is, `grade_shown` is None and no page shows them a grade of this audit.
    grades_hidden: bool = False

    def __str__(self) -> str:
        return f"{self.get_audit_type_display()} audit {self.public_id}"

    @property
    def raises_actions(self) -> bool:
        """Whether its findings raise actions on the team (or need a reason why not): not a
        calibration exercise, nor a partner agency auditor's audit, whose findings the audit
        group weighs at moderation, where the audit lead raises any actions."""
        return self.audit_type != AuditType.CALIBRATION and self.auditor.role != Role.PARTNER

    @property
    def is_shared(self) -> bool:
        """Submitted or completed: no longer a draft (see SHARED_STATUSES)."""
        return self.status in SHARED_STATUSES

    @property
    def grade_counted(self) -> Grade | None:
        """The overall grade that counts: the agreed grade where moderation has set one, else
        the auditor's. Reads the grade rows; select_related both when listing many audits."""
        if self.agreed_overall_grade_id is not None:
            return self.agreed_overall_grade
        return self.overall_grade

    @property
    def reference(self) -> str:
        """A short reference people can say, write in meeting papers and type (a moderation
        meeting's record names audits by it): the first eight characters of the public id."""
        return self.public_id.hex[:8].upper()

    @property
    def grade_shown(self) -> Grade | None:
        """The overall grade that counts (see `grade_counted`), once the audit is submitted. A
        draft's grade (saved by the auditor, or left by a failed submit or a return) is not a
        grade yet, and no list shows it; nor does any page show a grade to the moderator
        regrading the audit blind (`grades_hidden`)."""
        return self.grade_counted if self.is_shared and not self.grades_hidden else None


class ComplianceAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


class Answer(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    compliance = models.CharField(max_length=3, choices=ComplianceAnswer.choices, blank=True)
    # The auditor's grade; the agreed grade from moderation is kept beside it, never over it.
    grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreed_grade = models.ForeignKey(
        Grade, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence = models.TextField(blank=True)
    working_well = models.TextField(blank=True)
    worried_about = models.TextField(blank=True)
    # A "No" or a grade below Good needs an action, or this: why none is needed.
    no_action_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "question"], name="answer_unique_per_question")
        ]

    def __str__(self) -> str:
        return f"answer {self.pk}"

    @property
    def grade_counted(self) -> Grade | None:
        """The question's grade that counts: the agreed grade where there is one."""
        if self.agreed_grade_id is not None:
            return self.agreed_grade
        return self.grade


class ParticipantRole(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"
    OTHER = "other", "Other"


class Participant(models.Model):
    """Someone who took part in a deep dive, and what they said."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="participants")
    staff = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=12, choices=ParticipantRole.choices)
    contribution = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["audit", "staff"], name="participant_once_per_audit")
        ]

    def __str__(self) -> str:
        return f"{self.staff} ({self.get_role_display()})"


class Escalation(PublicIdModel):
    """The auditor's flag that the child is not safe, and its acknowledgement."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="escalations")
    raised_by = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="escalations_raised"
    )
    reason = models.TextField()
    raised_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations_acknowledged",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"escalation {self.public_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    # Done, says its owner: waiting for a team manager to sign it off (or send it back).
    # Only a closed action is done.
    COMPLETED = "completed", "Waiting for sign-off"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Action(PublicIdModel):
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="actions")
    # The finding it comes from: a question's answer, or the audit's overall findings when empty.
    answer = models.ForeignKey(
        Answer, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField()
    owner = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="actions_owned"
    )
    due_date = models.DateField(db_index=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    completion_evidence = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions_signed_off",
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    sent_back_reason = models.TextField(blank=True)
    sent_back_at = models.DateTimeField(null=True, blank=True)
    # The overdue reminder is emailed at most once a day.
    reminded_on = models.DateField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"action {self.public_id}"


class FeedbackReply(models.Model):
    """The practitioner's reply to the feedback on an audit of their case."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="feedback_replies"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"reply {self.pk}"


class PartnerShare(models.Model):
    """What the audit lead shares of a case with the partner agency auditor given an audit of
    it (a thematic multi-agency audit): their own words about the case, and whether the
    child's LA ID and the cohort may be shown. The partner sees this and the audit's tool,
    and nothing else of the case, the child or the council's other audits."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="partner_share")
    case_summary = models.TextField()
    share_child_id = models.BooleanField(default=False)
    share_cohort = models.BooleanField(default=False)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"partner share of {self.audit}"


# The child's and the family's view ----------------------------------------------------------


class FamilyAnswerKind(models.TextChoices):
    AGREEMENT = "agreement", "Yes, partly, no or not sure"
    TEXT = "text", "In their own words"


class FamilyQuestion(models.Model):
    """One of the short set of questions a tool version asks the child and their family (did
    you understand why we were involved, were you listened to, did things get better, what
    would have helped). Part of the version: frozen with it once published."""

    version = models.ForeignKey(
        ToolVersion, on_delete=models.CASCADE, related_name="family_questions"
    )
    order = models.PositiveIntegerField()
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=FamilyAnswerKind.choices)
    # The question whose answers are set beside the auditor's judgement of impact (did things
    # get better?): at most one a version.
    about_impact = models.BooleanField(default=False)

    class Meta:
        ordering = ["version", "order"]

    def __str__(self) -> str:
        return self.text[:60]


class Respondent(models.TextChoices):
    CHILD = "child", "Child or young person"
    PARENT_CARER = "parent_carer", "Parent or carer"


class ContactMethod(models.TextChoices):
    VISIT = "visit", "Visit"
    CALL = "call", "Telephone or video call"
    LETTER = "letter", "Letter"
    ONLINE_FORM = "online_form", "Online form"


class FamilyContact(PublicIdModel):
    """The auditor's contact (or attempt) with the child or a parent or carer for an audit,
    and what they said; or a family's answers through an online form (`FamilyLink`)."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="family_contacts")
    respondent = models.CharField(max_length=12, choices=Respondent.choices)
    made = models.BooleanField()
    method = models.CharField(max_length=12, choices=ContactMethod.choices, blank=True)
    not_made_reason = models.TextField(blank=True)
    # What they said, as they said it (the child's own words, above all).
    own_words = models.TextField(blank=True)
    # None for answers given through an online form.
    recorded_by = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="family_contacts_recorded",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"family contact {self.public_id}"


class FamilyReply(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class FamilyAnswer(models.Model):
    contact = models.ForeignKey(FamilyContact, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FamilyQuestion, on_delete=models.PROTECT, related_name="answers")
    reply = models.CharField(max_length=10, choices=FamilyReply.choices, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "question"], name="family_answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"family answer {self.pk}"


class FamilyLink(PublicIdModel):
    """A single-use, expiring link to the online family form for one audit. Only a hash of
    its token is kept: the link itself is shown once, to the lead who made it."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="family_links")
    respondent = models.CharField(max_length=12, choices=Respondent.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    contact = models.OneToOneField(
        FamilyContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="link"
    )
    created_by = models.ForeignKey(
        "accounts.StaffMember", on_delete=models.PROTECT, related_name="family_links_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"family form link {self.public_id}"


class FamilyLinkOutcome(models.TextChoices):
    SHOWN = "shown", "Form shown"
    ANSWERED = "answered", "Answers received"
    NOT_VALID = "not_valid", "Answers not valid"
    EXPIRED = "expired", "Link expired"
    USED = "used", "Link already used"
    WITHDRAWN = "withdrawn", "Link withdrawn"
    UNKNOWN = "unknown", "No such link"
    TOO_MANY = "too_many", "Too many tries"


class FamilyLinkUse(models.Model):
    """Every use of a family form link, good or bad, and of a guessed one (with no link).
    `client` is a keyed hash of the address it came from: enough to limit how often one
    address tries, without keeping the address."""

    link = models.ForeignKey(
        FamilyLink, null=True, blank=True, on_delete=models.CASCADE, related_name="uses"
    )
    outcome = models.CharField(max_length=10, choices=FamilyLinkOutcome.choices)
    client = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.at}"
