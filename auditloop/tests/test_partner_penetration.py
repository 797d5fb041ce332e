"""A penetration-style walk as a partner agency auditor: every route in the URLconf, each
parameter filled in turn with the id of every audit, case, action and unsafe-child flag there
is (their own audit among them), plus a made-up one. The partner must see nothing they were
not given: only their own audit's pages answer them, no page or download shows another child's
ID, the child's ID they were not given, or anything written in another audit, every read in the
access log is of their own audit, and nothing they sent changed anything else."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpResponseBase, StreamingHttpResponse
from django.urls import reverse
from django.urls.converters import IntConverter
from django.utils import timezone

from auditloop.assurance.models import MeetingItem, MeetingKind, MeetingOutcome, ModerationMeeting
from auditloop.audits.models import Action, Audit, AuditStatus, AuditType, Escalation
from auditloop.audits.services.partners import partner_audit_create
from auditloop.cases.models import ChildCase
from auditloop.core.models import AccessLog, Event
from auditloop.core.tests.url_walk import (
    ROUTE_PARAMETER,
    Route,
    _sample_value,
    all_routes,
    sample_url,
)
from auditloop.testing import Personas
from auditloop.tests.test_url_access import Visitor, _request

# Distinctive, so that no id or token on a page can contain them by chance.
CHILD_NOT_SHARED = "CHILDNOTSHAREDQX7"
OTHER_CHILD = "OTHERCHILDZZ9"
OTHER_FINDING = "Finding written in an audit the partner was not given"
FLAG_REASON = "Reason for a flag on an audit the partner was not given"
SHARED = "What the lead chose to share with the police"

# The partner's own pages: the only ones that may answer them with their audit (or the
# meeting they attended).
PARTNER_ROUTES = {"audits:partner_audit", "audits:partner_answer", "assurance:meeting_detail"}


def _world(p: Personas) -> tuple[Audit, list[str]]:
    """The partner's audit and the ids of everything there is to guess at (the meeting the
    partner attended last)."""
    ChildCase.objects.filter(pk=p.case.pk).update(la_child_id=CHILD_NOT_SHARED)
    ChildCase.objects.filter(pk=p.outsider_case.pk).update(la_child_id=OTHER_CHILD)
    now = timezone.now()

    def audit(case: ChildCase, audit_type: str, status: str, team_id: int | None) -> Audit:
        return Audit.objects.create(
            case=case,
            tool_version=p.quality_tool,
            audit_type=audit_type,
            theme="Exploitation" if audit_type == AuditType.THEMATIC else "",
            status=status,
            auditor=p.auditor,
            practitioner=case.allocated_worker,
            team_id=team_id,
            strengths=OTHER_FINDING,
            impact_on_child=OTHER_FINDING,
            submitted_at=now if status != AuditStatus.IN_PROGRESS else None,
        )

    lead_audit = audit(p.case, AuditType.THEMATIC, AuditStatus.SUBMITTED, p.north_a.pk)
    others = [
        lead_audit,
        audit(p.case, AuditType.DIP_SAMPLE, AuditStatus.COMPLETED, p.north_a.pk),
        audit(p.outsider_case, AuditType.DEEP_DIVE, AuditStatus.SUBMITTED, p.south_a.pk),
        audit(p.outsider_case, AuditType.THEMATIC, AuditStatus.IN_PROGRESS, p.south_a.pk),
    ]
    action = Action.objects.create(
        audit=others[1],
        description=OTHER_FINDING,
        owner=p.practitioner,
        due_date=now.date(),
    )
    flag = Escalation.objects.create(audit=others[2], raised_by=p.auditor, reason=FLAG_REASON)
    mine = partner_audit_create(
        audit=lead_audit,
        partner=p.partner,
        case_summary=SHARED,
        share_child_id=False,
        share_cohort=False,
        due_date=None,
        by=p.moderator,
    )
    # A moderation meeting they attended, where other audits were discussed too.
    meeting = ModerationMeeting.objects.create(
        kind=MeetingKind.AUDIT_GROUP,
        held_on=now.date(),
        recorded_by=p.moderator,
        learning=OTHER_FINDING,
    )
    meeting.attendees.set([p.moderator, p.partner])
    for discussed in (mine, others[2]):
        MeetingItem.objects.create(
            meeting=meeting,
            audit=discussed,
            outcome=MeetingOutcome.GRADE_CONFIRMED,
            notes=OTHER_FINDING if discussed != mine else "",
        )
    ids = [str(a.public_id) for a in [mine, *others]]
    ids += [str(p.case.public_id), str(p.outsider_case.public_id)]
    ids += [str(action.public_id), str(flag.public_id), str(uuid.uuid4())]
    ids.append(str(meeting.public_id))
    return mine, ids


def _filler(values: dict[str, str]) -> Callable[[re.Match[str]], str]:
    def fill(match: re.Match[str]) -> str:
        return values[match.group("name")]

    return fill


def _urls(route: Route, ids: list[str]) -> list[str]:
    """The route with each of its parameters that takes an id filled, in turn, by each id (the
    others by values that name nothing); a route without such parameters once."""
    if not route.has_parameters or route.is_regex:
        return [sample_url(route)]
    samples = {name: _sample_value(conv) for name, conv in route.converters.items()}
    takes_id = [
        name for name, conv in route.converters.items() if not isinstance(conv, IntConverter)
    ]
    urls = {sample_url(route)}
    for name in takes_id:
        for given in ids:
            values = {**samples, name: given}
            urls.add("/" + ROUTE_PARAMETER.sub(_filler(values), route.route))
    return sorted(urls)


def _body(response: HttpResponseBase) -> bytes:
    """What the response shows, downloads (streamed or not) included."""
    if isinstance(response, StreamingHttpResponse):
        return b"".join(bytes(chunk) for chunk in response.streaming_content)  # type: ignore[union-attr]
    return bytes(getattr(response, "content", b""))


def _leaks(text: str) -> list[str]:
    return [s for s in (CHILD_NOT_SHARED, OTHER_CHILD, OTHER_FINDING, FLAG_REASON) if s in text]


def test_a_partner_sees_nothing_they_were_not_given_on_any_route(p: Personas) -> None:
    mine, ids = _world(p)
    own = str(mine.public_id)
    given = {own, ids[-1]}  # their audit, and the meeting they attended
    visitor = Visitor("partner", p.partner)
    failures: list[str] = []
    logging.disable(logging.CRITICAL)  # 404s and 403s log warnings by the hundred
    try:
        for route in all_routes():
            for url in _urls(route, ids):
                method, response, crash = _request(visitor.client(), url)
                visitor.after_request()
                if response is None:
                    failures.append(f"{method} {url}: {crash}")
                    continue
                status = response.status_code
                body = _body(response)
                leaked = _leaks(body.decode("utf-8", "replace"))
                if leaked:
                    failures.append(f"{method} {url} ({route.name}): shows {leaked}")
                if status >= 500:
                    failures.append(f"{method} {url} ({route.name}): answered {status}")
                names_an_object = route.has_parameters and not route.is_public
                if (
                    names_an_object
                    and status == 200
                    and not (route.name in PARTNER_ROUTES and any(g in url for g in given))
                ):
                    failures.append(f"{method} {url} ({route.name}): answered 200")
    finally:
        logging.disable(logging.NOTSET)
    assert not failures, f"{len(failures)} things a partner was shown:\n  " + "\n  ".join(failures)
    # Every read the partner made was of their own audit.
    read = set(AccessLog.objects.filter(user=p.partner.user).values_list("target_id", flat=True))
    assert read <= {own}
    # Whatever they sent changed no audit but their own.
    changed = Event.objects.filter(actor=p.partner.user, target_type="audits.audit")
    assert set(changed.values_list("target_id", flat=True)) <= {own}


def test_the_walk_reaches_the_partners_own_pages(p: Personas) -> None:
    """The walk's own check: the partner's pages answer them, so a 404 everywhere is not the
    walk failing to build its URLs."""
    mine, _ = _world(p)
    client = p.client_for(p.partner)
    text = client.get(reverse("audits:partner_audit", args=[mine.public_id])).content.decode()
    assert SHARED in text
    assert not _leaks(text)
    assert mine.reference in client.get(reverse("audits:partner_list")).content.decode()
