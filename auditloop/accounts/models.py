"""Services, teams, staff members and their roles."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django_otp.models import Device, TimestampMixin

from auditloop.core.models import PublicIdModel


class Role(models.TextChoices):
    """One roles enum: the roles table in DESIGN.md, spelt as the staff list spells them."""

    PRACTITIONER = "practitioner", "Practitioner (social worker)"
    TEAM_MANAGER = "team_manager", "Team manager"
    AUDITOR = "auditor", "Auditor or QA officer"
    MODERATOR = "moderator", "Moderator or audit lead"
    SENIOR_LEADER = "senior_leader", "Senior leader"
    BOARD_MEMBER = "board_member", "Board or committee member"
    ADMINISTRATOR = "administrator", "Administrator"
    DATA_PROTECTION = "data_protection", "Data Protection Officer"
    # An auditor from a partner agency (police, health, education...) in a thematic
    # multi-agency audit under the local safeguarding partnership: reads only the audits they
    # are given and what the audit lead shares of each case.
    PARTNER = "partner", "Partner agency auditor"


# Roles whose holders may be assigned audits.
AUDITING_ROLES = frozenset({Role.TEAM_MANAGER, Role.AUDITOR, Role.MODERATOR, Role.SENIOR_LEADER})

# Roles given only with a second person's approval: those that read other people's audits
# (the auditing roles), and the administrator, who can ask for them. A practitioner reads only
# the audits of cases they held when audited; a board member, anonymised aggregates.
# The Data Protection Officer reads who has looked at a child's records and answers subject
# access requests with everything held about a person.
ROLES_NEEDING_APPROVAL = AUDITING_ROLES | {Role.ADMINISTRATOR, Role.DATA_PROTECTION, Role.PARTNER}

# Roles that do no casework: they own no actions, are asked to decide no regrading and read
# no audit from the lists.
# A partner agency's auditor answers the audits they are given and owns no council action.
NO_CASEWORK_ROLES = frozenset(
    {Role.BOARD_MEMBER, Role.ADMINISTRATOR, Role.DATA_PROTECTION, Role.PARTNER}
)

# Roles that may approve or reject such a change (never their own, never one they asked for).
ACCESS_APPROVER_ROLES = frozenset({Role.ADMINISTRATOR, Role.SENIOR_LEADER})


class User(AbstractUser):  # type: ignore[django-manager-missing]  # passkeys: django-otp untyped
    """A login. What the person may do comes from their staff member record.

    A password an administrator set (a new login, a reset) is one-time: it signs in once, and
    then the person must choose their own before anything else."""

    password_change_required = models.BooleanField(default=False)
    # The agency a partner agency auditor works for ("Northshire Police"); blank for the
    # council's own staff.
    organisation = models.CharField(max_length=150, blank=True)
    one_time_password_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]


class Service(PublicIdModel):
    name = models.CharField(max_length=120, unique=True)
    head_of_service = models.ForeignKey(
        "accounts.StaffMember",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_services",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(PublicIdModel):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="team_name_unique_in_service")
        ]

    def __str__(self) -> str:
        return self.name


class StaffMember(PublicIdModel):
    """A member of staff, with or without a login. The role decides what they may see and do."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(unique=True, null=True, blank=True)
    swe_number = models.CharField("SWE number", max_length=20, blank=True, db_index=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    # The services a moderator, senior leader or board member looks across.
    services = models.ManyToManyField(Service, blank=True, related_name="overseers")
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def can_audit(self) -> bool:
        return self.role in AUDITING_ROLES

    @property
    def is_audit_lead(self) -> bool:
        return self.role == Role.MODERATOR

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMINISTRATOR


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AccessRequest(PublicIdModel):
    """A change of someone's role, team or services that would let them read audits (or
    approve those who do), waiting for a second person: another administrator or a senior
    leader. Until approved, the person keeps the role, team and services they had."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="access_requests")
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    services = models.ManyToManyField(Service, blank=True, related_name="+")
    status = models.CharField(
        max_length=10,
        choices=AccessRequestStatus.choices,
        default=AccessRequestStatus.PENDING,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"access request {self.public_id}"


def actor_login(by: StaffMember | None) -> User | None:
    """The login an event or a decision names for `by` (None for the system): services take
    the member of staff, the event log names their login."""
    return by.user if by is not None else None


class Passkey(TimestampMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """twofactor: a passkey (WebAuthn credential) given as the second factor. A django-otp
    device, so that signing in with it marks the session as passed like an app's code, and an
    administrator's reset removes it with the others; it checks no typed code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)

    class Meta(Device.Meta):  # type: ignore[misc]
        ordering = ["created_at", "id"]

    def verify_token(self, token: object) -> bool:
        return False


class SignedInSession(PublicIdModel):
    """One signed-in session of a login, for its owner's list and for ending it: made when
    they sign in, gone when they sign out or it is ended. Only a digest of the session key is
    kept (the key is the cookie that signs in); `last_seen_at` moves when the session's idle
    expiry is renewed, not on every request."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    key_digest = models.CharField(max_length=64, unique=True)
    signed_in_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    browser = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"session of {self.user_id} since {self.signed_in_at:%Y-%m-%d %H:%M}"
