from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from auditloop.accounts.backends import UNREAD_NOTIFICATIONS
from auditloop.accounts.models import AUDITING_ROLES, NO_CASEWORK_ROLES, Role
from auditloop.accounts.second_factor import Need, second_factor_need
from auditloop.assurance.access.agreement import AGREEMENT_READERS
from auditloop.core.addresses import served_under
from auditloop.learning.access.feedback import FEEDBACK_ROLES
from auditloop.learning.access.team_picture import TEAM_PICTURE_ROLES
from auditloop.privacy.access.roles import PRIVACY_ROLES
from auditloop.reports.access.dashboards import DASHBOARD_READERS
from auditloop.reports.access.reviews import REVIEW_ROLES

# The layout's menu, a partial of the layout itself.
NAVIGATION_TEMPLATE = "base.html#navigation"


def _navigation_html(role: str, path: str) -> SafeString:
    """The menu of a role, as HTML, with the item of the page at `path` marked current: the
    same on every page of that item, so it is worked out and rendered once per role and item
    (and per address the site is served under), not on every request. It holds nothing but
    the role's links: no token, no count, nothing of the reader."""
    script_prefix, urlconf = served_under()
    items = _navigation_of(role, script_prefix, urlconf)
    # The current item is the one whose address is the longest start of this page's:
    # /audits/tools/ is "Audit tools", not "Audits".
    matches = [url for _, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len) if matches else None
    return _navigation_rendered(role, script_prefix, urlconf, current)


@lru_cache(maxsize=512)
def _navigation_rendered(
    role: str, script_prefix: str, urlconf: Any, current: str | None
) -> SafeString:
    items = _navigation_of(role, script_prefix, urlconf)
    # A template's output is already marked safe; mark_safe only says so to the type checker.
    return mark_safe(  # noqa: S308
        get_template(NAVIGATION_TEMPLATE).render(
            {"navigation": [(label, url, url == current) for label, url in items]}
        )
    )


@lru_cache(maxsize=64)
def _navigation_of(role: str, script_prefix: str, urlconf: Any) -> tuple[tuple[str, str], ...]:
    # `script_prefix` and `urlconf` only key the cache: `reverse` reads both itself.
    items: list[tuple[str, str]] = [("Home", reverse("home"))]
    if role == Role.PARTNER:
        # A partner agency auditor sees their own audits and nothing else of the service.
        return (
            *items,
            ("Your audits", reverse("audits:partner_list")),
            ("Moderation meetings", reverse("assurance:meeting_list")),
        )
    if role in DASHBOARD_READERS:
        items.append(("Dashboard", reverse("reports:dashboard")))
    if role in AUDITING_ROLES or role in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        items.append(("Audits", reverse("audits:list")))
    if role not in NO_CASEWORK_ROLES:
        items.append(("Actions", reverse("audits:actions")))
    if role in {Role.TEAM_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER}:
        items.append(("Unsafe-child flags", reverse("audits:escalations")))
    if role in AUDITING_ROLES:
        items.append(("Calibration", reverse("assurance:calibration_list")))
        items.append(("Moderation meetings", reverse("assurance:meeting_list")))
    if role not in {Role.ADMINISTRATOR, Role.DATA_PROTECTION}:
        items.append(("Key messages", reverse("learning:key_message_list")))
    if role in AUDITING_ROLES or role == Role.ADMINISTRATOR:
        items.append(("Audit tools", reverse("audits:tools")))
    if role in {Role.MODERATOR, Role.ADMINISTRATOR, Role.TEAM_MANAGER, Role.SENIOR_LEADER}:
        items.append(("Cases", reverse("cases:list")))
    if role in {Role.MODERATOR, Role.ADMINISTRATOR}:
        items.append(("Imports", reverse("imports:index")))
    # Planning audits (cycles, samples, months) is the audit lead's, never the administrator's.
    if role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        items.append(("Cycles", reverse("sampling:cycle_list")))
        items.append(("Revisits", reverse("assurance:revisits")))
    # Learning from audit: the worker's own feedback, and a team's picture for those over it.
    if role in FEEDBACK_ROLES:
        items.append(("My feedback", reverse("learning:my_feedback")))
    if role in TEAM_PICTURE_ROLES:
        items.append(("Team picture", reverse("learning:team_picture_choose")))
    if role in AGREEMENT_READERS:
        items.append(("Agreement", reverse("assurance:agreement")))
    if role in {Role.MODERATOR, Role.SENIOR_LEADER, Role.TEAM_MANAGER}:
        items.append(("Training", reverse("learning:training_needs")))
    if role in REVIEW_ROLES:
        items.append(("Cycle reviews", reverse("reports:cycle-reviews")))
    if role == Role.MODERATOR:
        items.append(("Moderation", reverse("assurance:moderation_list")))
    if role == Role.SENIOR_LEADER:
        # Senior leaders approve role changes that let someone read audits.
        items.append(("Role changes", reverse("accounts:access_requests")))
    if role == Role.ADMINISTRATOR:
        items.append(("Administration", reverse("accounts:admin_home")))
    if role in PRIVACY_ROLES:
        items.append(("Data protection", reverse("privacy:index")))
    return tuple(items)


def service(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"council_name": settings.COUNCIL_NAME, "service_name": "auditloop"}
    user = request.user
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if staff is not None and second_factor_need(request) is not Need.NOTHING:
        # Before the second factor: who is signed in and a way out, nothing of the service.
        context["current_staff"] = staff
        context["second_factor_pending"] = True
    elif staff is not None:
        context["navigation_html"] = _navigation_html(staff.role, request.path)
        context["current_staff"] = staff
        # Counted in the query that loaded the login (`signed_in_login`); a login loaded
        # some other way is counted here.
        unread = getattr(user, UNREAD_NOTIFICATIONS, None)
        if unread is None:
            unread = staff.user.notifications.filter(read_at__isnull=True).count()
        context["unread_notifications"] = unread
    return context
