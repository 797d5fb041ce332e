"""Every list page asks as many queries for one row as for a full page, for every login it
answers.

A query per row (an N+1) only shows when the two states compared differ in the rows a page
shows: a page already full in both, or a 403 in both, compares equal whatever the code does. So
the module builds the personas' council with one row of every kind (an audit with an agreed
grade, some being moderated, an action, a flag, a case, a notification, a log entry, a cycle,
an import, a token, a refused request, a failed sign-in, a role change waiting for approval,
...), asks every list page as every login its access decision admits, then adds rows until
each page is full and asks again. Each page must answer 200 both times, the login must see
more rows the second time (at least a page's worth more where the list is long enough), and
the query counts must be equal.

The pages are every route without parameters that answers GET, so a list page added later is
checked without editing this file; a page that lists nothing (a form) is named in NOT_LISTS.
Each page is measured inside a savepoint rolled back after it, so what one page writes (the
access log's reads, a session) never changes the rows another page shows: the figures do not
depend on the order the pages are asked in.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.paginator import Page
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import Role, Service, SignedInSession, StaffMember, Team
from auditloop.accounts.services.staff import StaffDetails, staff_update
from auditloop.api.access import can_hold_api_token
from auditloop.api.services import api_token_create
from auditloop.assurance.models import (
    CalibrationEntry,
    CalibrationExercise,
    MeetingItem,
    MeetingKind,
    MeetingOutcome,
    Moderation,
    ModerationMeeting,
    ModerationReason,
    ModerationStatus,
)
from auditloop.assurance.tests.agreement_factories import overall_moderation_of
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditTool,
    AuditType,
    Grade,
    GradingScale,
    ToolVersion,
)
from auditloop.audits.tests.followup_factories import (
    make_action,
    make_answer,
    make_audit,
    make_escalation,
)
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.events import failed_sign_in_record, refused_request_record
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.core.tests.url_walk import Route, all_routes
from auditloop.imports.models import ImportKind, ImportRun, ImportStatus
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageRecipient,
    KeyMessageStatus,
    LearningPoint,
    LearningPointKind,
    Theme,
    ThemeSuggestion,
    ThemeSuggestionStatus,
    TrainingAttendance,
    TrainingEvent,
    TrainingNeed,
    TrainingRule,
    TrainingRuleKind,
)
from auditloop.privacy.models import LegalHold
from auditloop.reports.models import (
    Audience,
    CycleReview,
    ReviewFormat,
    ReviewStatus,
    Target,
    TargetMeasure,
)
from auditloop.reports.tests.inspection_pack_factories import pack_form
from auditloop.sampling.models import Cycle
from auditloop.testing import TEST_SETTINGS, Personas, build_personas, make_staff
from auditloop.tests.test_role_checks import decision_admits

pytestmark = pytest.mark.django_db

# Routes without parameters that list nothing, or are not pages: forms, sign-in and out, a
# POST-only action, a fixed CSV template, the API's schema and documentation (a GOV.UK page
# describing the schema), the administration menu, the accessibility statement, the favicon,
# the health check.
NOT_LISTS = {
    "login",
    "logout",
    "sso_start",
    "sso_callback",
    "notifications_read_all",
    "accounts:admin_home",
    "accounts:service_create",
    "accounts:team_create",
    "accounts:staff_create",
    "accounts:password_change",
    "sessions:end_others",
    "cases:create",
    "audits:create",
    "audits:tool_create",
    "audits:grading_scale_create",
    # An audit tool file's upload form, the published schema (a file), and the shipped
    # exemplar tools (files, not rows).
    "audits:tool_import",
    "audits:tool_schema",
    "audits:tool_exemplars",
    # A partner agency auditor's own audits: only a partner's login is admitted, and the walk's
    # logins are the council's staff; its query count is measured for one audit and for four
    # in audits/tests/test_partners.py.
    "audits:partner_list",
    # Unattributed free text of one cycle, redacted: two queries whatever its length.
    "reports:experience_said",
    "imports:staff_template",
    "sampling:cycle_create",
    "assurance:calibration_create",
    "assurance:meeting_create",
    "learning:theme_add",
    "learning:suggestions_generate",
    "learning:training_rule_create",
    "learning:training_event_create",
    "learning:training_needs_check",
    "learning:training_attendance_template",
    "learning:key_message_create",
    "reports:target_create",
    "api:openapi-json",
    "api:openapi-view",
    "api:index",
    "api:api-root",
    "api:docs",
    # One cycle's figures, not a list: counted against a larger council in
    # auditloop/api/tests/test_api_dashboard_queries.py.
    "api:get_dashboard",
    "accessibility",
    "favicon",
    # The load balancer's health check: JSON about the database and the workers, no list.
    "health",
    # Counted one row against full lists, list by list, in test_home.py.
    "home",
    # A form; the pack it downloads is measured below, one audit against many.
    "reports:inspection_pack",
    # Links to the data protection pages.
    "privacy:index",
    # Forms: the child's ID to look up (posted), the council's unusual reading thresholds.
    "privacy:access_review",
    "privacy:reading_thresholds",
    # Retention: one row per kind of record (a fixed nine), the dry run's counts by kind, and
    # forms; their query counts are held fixed in privacy/tests/test_retention_queries.py.
    "privacy:retention_schedule",
    "privacy:retention_dry_run",
    "privacy:retention_run",
    "privacy:legal_hold_add",
    # A form; its answer is one subject's export, a zip, not a list.
    "privacy:subject_access",
    # One's own second factor: forms, and a person's few passkeys read in one query.
    "second_factor:verify",
    "second_factor:set_up",
    "second_factor:manage",
    "second_factor:recovery_codes_renew",
    "second_factor:passkey_add",
    "second_factor:passkey_sign_in",
}

# The paginator's page; the notifications page shows a hundred; the token list and the
# sessions list, unpaginated, are full enough for the test with a dozen.
FULL = 50
NOTIFICATIONS_FULL = 100
TOKENS_FULL = 12

# Logins that see no row of a list by design; the page still answers them 200.
SEES_NO_ROWS = {
    ("audits:list", "board_member"): "no individual's audit",
    ("audits:list", "administrator"): "no audit content",
    ("audits:actions", "auditor"): "owns no action",
    ("audits:actions", "moderator"): "owns no action",
    ("audits:actions", "senior_leader"): "owns no action",
    ("audits:actions", "board_member"): "owns no action",
    ("audits:actions", "administrator"): "owns no action",
    ("api:list_audits", "board_member"): "no individual's audit",
    ("api:list_audits", "administrator"): "no audit content",
    ("api:list_actions", "board_member"): "sees no action",
    ("api:list_actions", "administrator"): "sees no action",
    # import_kinds_open_to: an audit lead reads case-list runs only when they oversee every
    # service; the moderator oversees North alone (and never reads staff-list runs).
    ("imports:index", "moderator"): "oversees North alone, so imports nothing",
    ("learning:my_feedback", "team_manager"): "holds no audited case of their own",
    # Key messages go to practitioners and team managers; an auditor is sent none.
    ("learning:key_message_list", "auditor"): "is sent no key message",
    ("learning:key_message_list", "administrator"): "reads no audit learning",
    # The personas' reads are of their own children; measured with many flagged readers
    # against one in privacy/tests/test_unusual_reading.py.
    ("privacy:unusual_reading", "moderator"): "no reader outside their own children",
}

# Pages of figures, not of rows, for these logins: the personas' rounds put each audit in a
# cycle of its own, so the dashboard's tables keep their rows; their query counts are still
# compared here, and counted small against large, role by role, in
# reports/tests/test_dashboards.py.
FIGURES_NOT_ROWS = {
    ("reports:dashboard", "practitioner"): "their own audits, by their team",
    ("reports:dashboard", "team_manager"): "their team",
    ("reports:dashboard", "moderator"): "their services, by team",
    ("reports:dashboard", "senior_leader"): "their services, by team",
}

# Logins a list page sends on to their own page instead (and the page they go to).
REDIRECTED = {
    ("learning:team_picture_choose", "team_manager"): "their own team's picture",
}


# Rows a round adds to a page for a login, where it is not one.
ROWS_PER_ROUND = {
    # An action for the practitioner and one for their team manager: these logins see both
    # (the API lists actions_visible_to, so the practitioner sees only their own).
    ("audits:team_actions", "team_manager"): 2,
    ("audits:team_actions", "moderator"): 2,
    ("audits:team_actions", "senior_leader"): 2,
    ("api:list_actions", "team_manager"): 2,
    ("api:list_actions", "auditor"): 2,
    ("api:list_actions", "moderator"): 2,
    ("api:list_actions", "senior_leader"): 2,
    # A read of an audit, and the administrator's read of an event-log row (itself logged).
    ("accounts:access_log", "administrator"): 2,
    # An audit viewed, and the role change asked for: the staff record changed, the request.
    ("accounts:event_list", "administrator"): 3,
    # A staff-list run and a case-list run: the administrator reads every kind.
    ("imports:index", "administrator"): 2,
    # The latest cycle (each round's) by question (its overall grade) and by auditor, and a
    # line by cycle; board members read no figures by auditor.
    ("assurance:agreement", "moderator"): 3,
    ("assurance:agreement", "senior_leader"): 3,
    ("assurance:agreement", "board_member"): 2,
    # A note, and the notice that a role change waits for their approval.
    ("notifications", "senior_leader"): 2,
    ("notifications", "administrator"): 2,
    # A revisit done, and with the first one the figures' rows: the overall grade and the one
    # check both audits answered.
    ("assurance:revisits", "moderator"): 3,
    ("assurance:revisits", "senior_leader"): 3,
    # An open theme suggestion and a rejected one.
    ("learning:suggestions", "moderator"): 2,
    # The round's issued committee review and its published key message.
    ("reports:dashboard", "board_member"): 2,
}


def _decision(route: Route) -> str:
    return str(getattr(route.callback, "access_decision", ""))


def list_pages() -> list[Route]:
    return [
        route for route in all_routes() if not route.has_parameters and route.name not in NOT_LISTS
    ]


def admits(route: Route, role: str) -> bool:
    """Whether the route's access decision lets this role see the page at all."""
    return decision_admits(_decision(route), role, route_name=route.name)


def _stamp(n: int) -> str:
    return f"{n:03d}"


class Council:
    """The personas' council, and rows of every kind added to it, `n` at a time."""

    def __init__(self, p: Personas) -> None:
        self.p = p
        self.added = 0
        # Asks for the role changes, so that both the personas' administrator and the senior
        # leader may decide them (nobody decides a change they asked for).
        self.other_administrator = make_staff("admin2", "Ari Admin", Role.ADMINISTRATOR)
        scale = p.compliance_tool.grading_scale
        self.good = Grade.objects.get(scale=scale, code="good")
        self.requires_improvement = Grade.objects.get(scale=scale, code="requires_improvement")
        # The audit each round's submitted audit revisits: Inadequate, its first check No.
        self.revisited = make_audit(p, status=AuditStatus.SUBMITTED)
        self.revisited.overall_grade = Grade.objects.get(
            scale=p.compliance_tool.grading_scale, code="inadequate"
        )
        self.revisited.save()
        make_answer(self.revisited)
        # Audits South's cases, so that the audits given to the personas to moderate show on
        # no other list of theirs.
        self.south_auditor = make_staff("southauditor", "Quinn South", Role.AUDITOR, p.south_a)
        # The case calibration exercises are set on: in North B, held by nobody, so that the
        # auditor, the team manager (of North A) and the senior leader may all audit it.
        self.calibration_case = ChildCase.objects.create(
            la_child_id="CAL-1", cohort=Cohort.CIN, allocated_team=p.north_b
        )

    def _moderations_add(self) -> None:
        """One South audit for each persona who moderates, other than the senior leader (who
        moderates the round's audit, on the audit lead's list of moderations)."""
        p = self.p
        now = timezone.now()
        for moderator in (p.moderator, p.auditor, p.team_manager):
            south = Audit.objects.create(
                case=p.outsider_case,
                tool_version=p.compliance_tool,
                audit_type=AuditType.DIP_SAMPLE,
                status=AuditStatus.SUBMITTED,
                auditor=self.south_auditor,
                practitioner=p.outsider,
                team=p.south_a,
                submitted_at=now,
            )
            Moderation.objects.create(
                audit=south,
                reason=ModerationReason.RANDOM,
                status=ModerationStatus.REGRADING,
                moderator=moderator,
                assigned_at=now,
            )

    def _calibration_and_meeting(self, i: int, discussed: Audit) -> None:
        """A calibration exercise for the auditor, the team manager and the senior leader
        (which the moderator oversees), and an audit group meeting the auditor and the team
        manager attended. Written directly: the services would tell people, and the
        notification lists count per round."""
        p = self.p
        exercise = CalibrationExercise.objects.create(
            title=f"Calibration {_stamp(i)}",
            case=self.calibration_case,
            tool_version=p.quality_tool,
            set_by=p.moderator,
            due_date=timezone.localdate(),
        )
        for auditor in (p.auditor, p.team_manager, p.senior_leader):
            audit = Audit.objects.create(
                case=self.calibration_case,
                tool_version=p.quality_tool,
                audit_type=AuditType.CALIBRATION,
                auditor=auditor,
                team=p.north_b,
            )
            CalibrationEntry.objects.create(exercise=exercise, audit=audit)
        meeting = ModerationMeeting.objects.create(
            kind=MeetingKind.AUDIT_GROUP,
            held_on=timezone.localdate(),
            recorded_by=p.moderator,
            learning="Read the chronology first.",
        )
        meeting.attendees.set([p.auditor, p.team_manager])
        MeetingItem.objects.create(
            meeting=meeting, audit=discussed, outcome=MeetingOutcome.GRADE_CONFIRMED
        )

    def _learning_add(self, i: int, audit: Audit) -> None:
        """A theme with a learning point tagged with it, and a theme suggestion (the North
        audit lead's) for two untagged points."""
        theme = Theme.objects.create(name=f"Theme {_stamp(i)}", description="Made by a round.")
        tagged, first, second = (
            LearningPoint.objects.create(
                audit=audit,
                kind=LearningPointKind.CONCERN,
                text=f"Drift in the plan for Jayden, round {_stamp(i)}.",
                author=self.p.auditor,
            )
            for _ in range(3)
        )
        tagged.themes.add(theme)
        suggestion = ThemeSuggestion.objects.create(
            label=f"Suggested {_stamp(i)}", terms=["drift", "plan"]
        )
        suggestion.points.set([first, second])
        rejected = ThemeSuggestion.objects.create(
            label=f"Rejected {_stamp(i)}",
            terms=["drift"],
            status=ThemeSuggestionStatus.REJECTED,
            decided_by=self.p.moderator,
            decided_at=timezone.now(),
        )
        rejected.points.set([first, second])

    def _role_change_asked(self, worker: StaffMember) -> None:
        """Another administrator asks for the worker to become an auditor: the request waits
        for a second person, and the approvers are told."""
        staff_update(
            staff=worker,
            by=self.other_administrator,
            details=StaffDetails(
                name=worker.name,
                role=Role.AUDITOR,
                email=worker.email or "",
                team=worker.team,
                start_date=worker.start_date,
            ),
        )

    def _revisit_done(self, audit: Audit) -> None:
        """Make `audit` a revisit of the Inadequate audit, graded Good, its first check Yes."""
        audit.audit_type = AuditType.REVISIT
        audit.revisit_of = self.revisited
        audit.overall_grade = Grade.objects.get(scale=audit.tool_version.grading_scale, code="good")
        audit.save()
        Answer.objects.filter(pk=make_answer(audit).pk).update(compliance="yes")

    def _training_add(self, i: int, cycle: Cycle) -> None:
        """A training rule, a need it raised for North A (read by its manager, the audit lead and
        the senior leader), and a training event the practitioner attended that answers it."""
        p = self.p
        rule = TrainingRule.objects.create(
            name=f"Rule {_stamp(i)}", kind=TrainingRuleKind.THEME_COUNT, count=3
        )
        need = TrainingNeed.objects.create(
            rule=rule, cycle=cycle, team=p.north_a, title=f"Need {_stamp(i)}", evidence={}
        )
        event = TrainingEvent.objects.create(
            title=f"Training {_stamp(i)}", held_on=timezone.localdate()
        )
        TrainingAttendance.objects.create(event=event, staff=p.practitioner)
        need.events.add(event)

    def _target_add(self, service: Service) -> None:
        """A target for the round's service (the targets page lists every target)."""
        Target.objects.create(
            measure=TargetMeasure.INADEQUATE_AT_MOST,
            percent=10,
            service=service,
            set_by=self.p.moderator,
        )

    def add(self, n: int) -> None:
        p = self.p
        for _ in range(n):
            i = self.added = self.added + 1
            submitted = make_audit(p, status=AuditStatus.SUBMITTED)
            self._revisit_done(submitted)
            # Moderated: the agreed grade counts beside the auditor's (both joined, never asked
            # for row by row); every other one is still being regraded, blind, by the lead.
            Audit.objects.filter(pk=submitted.pk).update(
                overall_grade=self.good, agreed_overall_grade=self.requires_improvement
            )
            make_action(p, audit=submitted, owner=p.practitioner)
            make_action(p, audit=submitted, owner=p.team_manager)
            make_escalation(p, submitted)
            self._moderations_add()
            self._calibration_and_meeting(i, submitted)
            self._learning_add(i, submitted)
            held = ChildCase.objects.create(
                la_child_id=f"L{_stamp(i)}",
                cohort=Cohort.CIN,
                allocated_team=p.north_a,
                allocated_worker=p.practitioner,
            )
            LegalHold.objects.create(case=held, set_by=p.data_protection, reason="A claim.")
            worker = make_staff(f"worker{i}", f"Worker {_stamp(i)}", Role.PRACTITIONER, p.north_b)
            self._role_change_asked(worker)
            service = Service.objects.create(name=f"Service {_stamp(i)}")
            Team.objects.create(service=p.north, name=f"Team {_stamp(i)}")
            target = {"target_type": "audits.audit", "target_id": str(submitted.public_id)}
            assert p.moderator.user is not None
            Event.objects.create(
                actor=p.moderator.user, verb="audit.viewed", summary="Seen.", **target
            )
            AccessLog.objects.create(user=p.moderator.user, **target)
            viewed = Event.objects.filter(verb="audit.viewed", **target).get()
            access_shown(user=p.administrator.user, targets=[viewed], purpose=Purpose.EVENT_LOG)
            # The outsider asks for an audit of another service's case and is told not found.
            assert p.outsider.user is not None
            refused_request_record(
                user=p.outsider.user,
                method="GET",
                path=f"/audits/{submitted.public_id}/",
                status=404,
            )
            failed_sign_in_record(username=f"worker{i}", ip_address="192.0.2.1", locked_out=False)
            ImportRun.objects.create(
                kind=ImportKind.STAFF,
                file_name=f"staff-{i}.csv",
                status=ImportStatus.IMPORTED,
                by=p.administrator.user,
            )
            ImportRun.objects.create(
                kind=ImportKind.ANNEX_A,
                file_name=f"annex-a-{i}.xlsx",
                status=ImportStatus.IMPORTED,
                by=p.administrator.user,
            )
            today = timezone.localdate()
            cycle = Cycle.objects.create(
                name=f"Cycle {_stamp(i)}",
                starts_on=today + datetime.timedelta(days=i),
                ends_on=today + datetime.timedelta(days=180 + i),
            )
            cycle.services.set([p.north, service])
            # Its review issued for the committee: read by North's board member, lead and leader.
            CycleReview.objects.create(
                cycle=cycle,
                audience=Audience.COMMITTEE,
                format=ReviewFormat.PDF,
                status=ReviewStatus.ISSUED,
                content=b"%PDF",
                size=4,
                requested_by=p.moderator,
                issued_at=timezone.now(),
            )
            # Published to North A: its practitioner and team manager each get it. Written
            # directly: publishing tells people, and the notification lists count per round.
            message = KeyMessage.objects.create(
                title=f"Key messages {_stamp(i)}",
                cycle=cycle,
                team=p.north_a,
                status=KeyMessageStatus.PUBLISHED,
                published_text={"title": f"Key messages {_stamp(i)}", "examples": []},
                published_at=timezone.now(),
                author=p.moderator,
                reviewer=p.senior_leader,
            )
            KeyMessageRecipient.objects.bulk_create(
                KeyMessageRecipient(key_message=message, staff=staff)
                for staff in (p.practitioner, p.team_manager)
            )
            # Moderated in that cycle: a line on the agreement page's table by cycle.
            moderation = overall_moderation_of(
                submitted, moderator=p.senior_leader, overall=(3, 2), cycle=cycle
            )
            # Every other one is still blind to its moderator, who has not regraded it yet.
            if i % 2:
                Moderation.objects.filter(pk=moderation.pk).update(regraded_at=timezone.now())
            self._training_add(i, cycle)
            self._target_add(service)
            scale = GradingScale.objects.create(slug=f"scale-{i}", name=f"Scale {_stamp(i)}")
            Grade.objects.create(scale=scale, code="good", label="Good", value=2)
            tool = AuditTool.objects.create(
                slug=f"tool-{i}", name=f"Tool {_stamp(i)}", kind="compliance"
            )
            ToolVersion.objects.create(
                tool=tool,
                number=1,
                grading_scale=scale,
                is_published=True,
                published_at=timezone.now(),
            )
            if i <= TOKENS_FULL:
                # Their creation events are dropped: the event list grows by one a round.
                before = Event.objects.order_by("-id").values_list("id", flat=True).first()
                for staff in p.all_roles().values():
                    assert staff.user is not None
                    if can_hold_api_token(staff):  # a partner agency auditor holds none
                        api_token_create(by=staff, name=f"Token {_stamp(i)}")
                Event.objects.filter(id__gt=before or 0).delete()
                # A session signed in elsewhere, for each login's own sessions page.
                SignedInSession.objects.bulk_create(
                    SignedInSession(
                        user=staff.user,
                        key_digest=f"{staff.pk:032d}{i:032d}",
                        signed_in_at=timezone.now(),
                        last_seen_at=timezone.now(),
                        browser=f"Browser {_stamp(i)}",
                        ip_address="192.0.2.1",
                    )
                    for staff in p.all_roles().values()
                )
        Notification.objects.bulk_create(
            Notification(recipient=staff.user, message=f"Note {_stamp(i)}")
            for staff in p.all_roles().values()
            for i in range(self.added - n + 1, self.added + 1)
        )

    def notifications_fill(self) -> None:
        """Notifications are shown a hundred at a time: top every login's up to a full page."""
        Notification.objects.bulk_create(
            Notification(recipient=staff.user, message=f"Extra note {k}")
            for staff in self.p.all_roles().values()
            for k in range(NOTIFICATIONS_FULL - self.added)
        )


@dataclass(frozen=True)
class Measure:
    status: int
    queries: int
    rows: int
    full_page: bool | None  # None where the page is not paginated


TBODY = re.compile(r"<tbody\b.*?</tbody>", re.DOTALL)
ROW = re.compile(r'<tr class="govuk-table__row')


def _rows(response: Any) -> int:
    if response["Content-Type"].startswith("application/json"):
        body = response.json()
        return len(body["items"] if isinstance(body, dict) else body)
    html = response.content.decode()
    return sum(len(ROW.findall(body)) for body in TBODY.findall(html))


def _full_page(response: Any) -> bool | None:
    context = getattr(response, "context", None)
    page = context.get("page") if context is not None else None
    if not isinstance(page, Page):
        return None
    return len(page.object_list) == page.paginator.per_page


def measure(client: Client, url: str) -> Measure:
    """The second request's status, queries and rows: the first fills per-process caches.
    Both are rolled back, so that the reads they log do not show on the access log's page."""
    with transaction.atomic():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        transaction.set_rollback(True)
    return Measure(
        response.status_code,
        len(captured.captured_queries),
        _rows(response),
        _full_page(response),
    )


PAGES = list_pages()


def _pairs() -> list[tuple[Route, str, str]]:
    """(page, persona, role) for every login the page's decision admits."""
    personas = {
        "practitioner": Role.PRACTITIONER,
        "team_manager": Role.TEAM_MANAGER,
        "auditor": Role.AUDITOR,
        "moderator": Role.MODERATOR,
        "senior_leader": Role.SENIOR_LEADER,
        "board_member": Role.BOARD_MEMBER,
        "administrator": Role.ADMINISTRATOR,
    }
    return [
        (route, who, role.value)
        for route in PAGES
        for who, role in personas.items()
        if admits(route, role.value)
    ]


PAGE_LOGINS = _pairs()


@pytest.fixture(scope="module")
def measured(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[tuple[str, str], tuple[Measure, Measure, Measure]]]:
    """Every (page, login): measured on the personas' council alone, with one row of each kind
    added, then with full pages."""
    # The session's renewal (a save, three queries, at most once a minute) is not what is
    # counted: on a loaded machine this fixture runs for minutes, and a renewal falling on a
    # measured request was seen adding three queries to one count.
    fast_hashing = override_settings(**TEST_SETTINGS, AUDITLOOP_SESSION_RENEW_SECONDS=10**9)
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        p = build_personas()
        council = Council(p)
        clients = {who: p.client_for(staff) for who, staff in p.all_roles().items()}
        zero = {
            (route.name, who): measure(clients[who], "/" + route.route)
            for route, who, _ in PAGE_LOGINS
        }
        council.add(1)
        one = {
            (route.name, who): measure(clients[who], "/" + route.route)
            for route, who, _ in PAGE_LOGINS
        }
        council.add(FULL - 1)
        council.notifications_fill()
        full = {
            (route.name, who): measure(clients[who], "/" + route.route)
            for route, who, _ in PAGE_LOGINS
        }
        transaction.set_rollback(True)
    yield {key: (zero[key], one[key], full[key]) for key in one}


def test_every_list_page_is_measured_for_some_login() -> None:
    measured_pages = {route.name for route, _, _ in PAGE_LOGINS}
    assert measured_pages == {route.name for route in PAGES}
    assert {"audits:list", "cases:list", "accounts:event_list", "api:list_audits"} <= (
        measured_pages
    )


@pytest.mark.parametrize(
    ("page", "who"),
    [(route.name, who) for route, who, _ in PAGE_LOGINS],
)
def test_a_list_page_asks_as_many_queries_for_one_row_as_for_a_full_page(
    measured: dict[tuple[str, str], tuple[Measure, Measure, Measure]], page: str, who: str
) -> None:
    zero, one, full = measured[page, who]
    if (page, who) in REDIRECTED:
        assert (one.status, full.status, one.queries) == (302, 302, full.queries)
        return
    assert (one.status, full.status) == (200, 200), (
        f"{page} as {who} answered {one.status} and {full.status}; its access decision "
        "admits this login, so it must answer 200"
    )
    if (page, who) in FIGURES_NOT_ROWS:
        pass
    elif (page, who) in SEES_NO_ROWS:
        assert (one.rows, full.rows) == (0, 0), (
            f"{page} as {who} now shows rows: take it out of SEES_NO_ROWS"
        )
    else:
        added = one.rows - zero.rows
        assert added == ROWS_PER_ROUND.get((page, who), 1), (
            f"{page} as {who} shows {added} rows more with one row of each kind added"
        )
        assert full.full_page in (None, True), f"{page} as {who}: the page was not full"
        assert full.rows - one.rows >= 9, (
            f"{page} as {who} shows {one.rows} rows with one of each kind and {full.rows} "
            "with full pages: too few more to see a query per row"
        )
    assert full.queries == one.queries, (
        f"{page} as {who}: {one.queries} queries for {one.rows} rows, "
        f"{full.queries} for {full.rows}: a query per row"
    )


# The inspection pack: a form whose POST downloads every audit of the period. Measured on the
# same council, with one round of rows and with ten, for the logins that may make one.

PACK_LOGINS = [
    (who, fmt) for who in ("moderator", "senior_leader") for fmt in ("xlsx", "audits-csv")
]
PACK_ROUNDS = 10


def measure_pack(client: Client, fmt: str) -> tuple[int, int, int]:
    """The second download's status, queries and size (rolled back, as the pages are)."""
    data = pack_form(fmt=fmt)
    url = reverse("reports:inspection_pack")
    with transaction.atomic():
        client.post(url, data)
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, data)
        transaction.set_rollback(True)
    return response.status_code, len(captured.captured_queries), len(response.content)


@pytest.fixture(scope="module")
def packs_measured(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[tuple[str, str], tuple[tuple[int, int, int], tuple[int, int, int]]]]:
    # The session's renewal (a save, three queries, at most once a minute) is not what is
    # counted: on a loaded machine this fixture runs for minutes, and a renewal falling on a
    # measured request was seen adding three queries to one count.
    fast_hashing = override_settings(**TEST_SETTINGS, AUDITLOOP_SESSION_RENEW_SECONDS=10**9)
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        p = build_personas()
        council = Council(p)
        clients = {who: p.client_for(getattr(p, who)) for who, _ in PACK_LOGINS}
        council.add(1)
        one = {(who, fmt): measure_pack(clients[who], fmt) for who, fmt in PACK_LOGINS}
        council.add(PACK_ROUNDS - 1)
        many = {(who, fmt): measure_pack(clients[who], fmt) for who, fmt in PACK_LOGINS}
        transaction.set_rollback(True)
    yield {key: (one[key], many[key]) for key in one}


@pytest.mark.parametrize(("who", "fmt"), PACK_LOGINS)
def test_the_inspection_pack_asks_as_many_queries_for_one_round_of_audits_as_for_ten(
    packs_measured: dict[tuple[str, str], tuple[tuple[int, int, int], tuple[int, int, int]]],
    who: str,
    fmt: str,
) -> None:
    (status_one, queries_one, size_one), (status_many, queries_many, size_many) = packs_measured[
        who, fmt
    ]
    assert (status_one, status_many) == (200, 200)
    assert size_many > size_one, f"the pack as {who} did not grow with the audits"
    assert queries_many == queries_one, (
        f"the inspection pack ({fmt}) as {who}: {queries_one} queries for one round of "
        f"audits, {queries_many} for {PACK_ROUNDS}: a query per row"
    )
