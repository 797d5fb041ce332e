"""Subject access: everything the product holds about one child or one member of staff, as
plain data (the JSON of the export, and what its PDF lays out). Free text goes through
`redact`, which takes out third parties' names (see `rules.subjectaccess`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

from auditloop.accounts.log_words import purpose_label, target_label, verb_label
from auditloop.accounts.models import AccessRequest, Service, StaffMember
from auditloop.assurance.models import (
    CalibrationExercise,
    ExperienceAsked,
    Moderation,
    ModerationMeeting,
    ModerationRequest,
)
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    Escalation,
    FamilyContact,
    FeedbackReply,
    Grade,
    Participant,
    PartnerShare,
)
from auditloop.cases.models import ChildCase
from auditloop.core.models import AccessLog, Event, FailedSignIn, Notification, RefusedRequest
from auditloop.learning.models import (
    KeyMessage,
    KeyMessageRecipient,
    LearningPoint,
    TrainingAttendance,
)
from auditloop.learning.redaction.engine import redactor_for_database
from auditloop.privacy.rules.subjectaccess import (
    EXPORT_FORMAT,
    EXPORT_VERSION,
    SubjectKind,
    third_parties_redacted,
)
from auditloop.sampling.models import Cycle, LateEscalation, SampleDrawCase

Redact = Callable[[str], str]


def staff_for_subject_access() -> list[StaffMember]:
    """Every member of staff, current and former, to choose from."""
    return list(StaffMember.objects.order_by("name", "pk"))


def redaction_for(*, kept: Iterable[str] = ()) -> Redact:
    """Free text with third parties taken out: people's names and identifiers, except staff
    named in their professional role and the strings in `kept` (the child's own ID)."""
    redactor = redactor_for_database()
    keep = [k for k in kept if k]

    def redact(text: str) -> str:
        if not text:
            return text
        result = redactor.redact(text, kept=keep)
        return third_parties_redacted(text, result.spans)

    return redact


def _when(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(staff: StaffMember | None) -> str | None:
    return staff.name if staff is not None else None


def _login_name(user: Any) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else str(user.get_username())


def _grade(grade: Grade | None) -> str | None:
    return grade.label if grade is not None else None


def _header(kind: SubjectKind, by: StaffMember, at: datetime.datetime) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "kind": str(kind),
        "produced_at": at.isoformat(),
        "produced_by": by.name,
    }


# -- a child ------------------------------------------------------------------------------

_AUDIT_RELATED = (
    "tool_version__tool",
    "auditor",
    "practitioner",
    "team",
    "revisit_of",
    "overall_grade",
    "agreed_overall_grade",
)


def child_audits(case: ChildCase) -> list[Audit]:
    return list(
        Audit.objects.filter(case=case).select_related(*_AUDIT_RELATED).order_by("created_at", "pk")
    )


def _case_data(case: ChildCase) -> dict[str, Any]:
    return {
        "public_id": str(case.public_id),
        "la_child_id": case.la_child_id,
        "cohort": case.get_cohort_display(),
        "allocated_team": case.allocated_team.name if case.allocated_team else None,
        "allocated_team_as_imported": case.allocated_team_name,
        "allocated_worker": _name(case.allocated_worker) or case.allocated_worker_name or None,
        "gender": case.gender,
        "date_of_birth": _when(case.date_of_birth),
        "ethnicity": case.ethnicity,
        "disability": case.disability,
        "referral_date": _when(case.referral_date),
        "assessment_completed": _when(case.assessment_completed),
        "cp_plan_start": _when(case.cp_plan_start),
        "looked_after_since": _when(case.cla_start),
        "last_statutory_visit": _when(case.last_statutory_visit),
        "last_seen_alone": _when(case.last_seen_alone),
        "latest_review": _when(case.latest_review),
        "last_health_assessment": _when(case.last_health_assessment),
        "latest_pathway_plan_review": _when(case.latest_pathway_plan_review),
        "opened_on": _when(case.opened_on),
        "closed_on": _when(case.closed_on),
        "is_open": case.is_open,
        "source_lists": case.source_lists,
        "last_imported_at": _when(case.last_imported_at),
        "no_longer_listed_on": _when(case.no_longer_listed_on),
        "created_at": _when(case.created_at),
        "updated_at": _when(case.updated_at),
    }


def _audit_data(audit: Audit, redact: Redact) -> dict[str, Any]:
    return {
        "public_id": str(audit.public_id),
        "reference": audit.reference,
        "type": audit.get_audit_type_display(),
        "theme": audit.theme,
        "status": audit.get_status_display(),
        "audit_tool": audit.tool_version.tool.name,
        "auditor": _name(audit.auditor),
        "practitioner": _name(audit.practitioner),
        "team": audit.team.name if audit.team else None,
        "revisit_of": audit.revisit_of.reference if audit.revisit_of else None,
        "due_date": _when(audit.due_date),
        "meeting_date": _when(audit.meeting_date),
        "overall_grade": _grade(audit.overall_grade),
        "agreed_overall_grade": _grade(audit.agreed_overall_grade),
        "revisit_reason": redact(audit.revisit_reason),
        "strengths": redact(audit.strengths),
        "areas_for_development": redact(audit.areas_for_development),
        "impact_on_child": redact(audit.impact_on_child),
        "practitioner_reflection": redact(audit.practitioner_reflection),
        "return_reason": redact(audit.return_reason),
        "created_at": _when(audit.created_at),
        "started_at": _when(audit.started_at),
        "submitted_at": _when(audit.submitted_at),
        "completed_at": _when(audit.completed_at),
    }


def _by_audit[T](rows: Iterable[T], key: Callable[[T], int]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def _audits_in_full(audits: list[Audit], redact: Redact) -> list[dict[str, Any]]:
    """Each audit with its answers, participants, flags, actions, replies, learning points,
    moderation and revisits: one query per kind, whatever the number of audits."""
    ids = [a.pk for a in audits]
    answers = _by_audit(
        Answer.objects.filter(audit_id__in=ids)
        .select_related("question__section", "grade", "agreed_grade")
        .order_by("question__section__order", "question__order"),
        lambda r: r.audit_id,
    )
    participants = _by_audit(
        Participant.objects.filter(audit_id__in=ids).select_related("staff").order_by("pk"),
        lambda r: r.audit_id,
    )
    flags = _by_audit(
        Escalation.objects.filter(audit_id__in=ids)
        .select_related("raised_by", "acknowledged_by")
        .order_by("raised_at"),
        lambda r: r.audit_id,
    )
    actions = _by_audit(
        Action.objects.filter(audit_id__in=ids)
        .select_related("owner", "signed_off_by")
        .order_by("created_at"),
        lambda r: r.audit_id,
    )
    replies = _by_audit(
        FeedbackReply.objects.filter(audit_id__in=ids).select_related("author"),
        lambda r: r.audit_id,
    )
    # What the child and their family said for the audit (to the auditor or on the online
    # form), and what the audit lead shared of the case with a partner agency's auditor.
    contacts = _by_audit(
        FamilyContact.objects.filter(audit_id__in=ids)
        .select_related("recorded_by")
        .prefetch_related("answers__question"),
        lambda c: c.audit_id,
    )
    shares = {s.audit_id: s for s in PartnerShare.objects.filter(audit_id__in=ids)}
    points = _by_audit(
        LearningPoint.objects.filter(audit_id__in=ids).select_related("author", "question"),
        lambda r: r.audit_id,
    )
    moderations = {
        m.audit_id: m
        for m in Moderation.objects.filter(audit_id__in=ids).select_related(
            "moderator", "moderator_overall_grade", "escalated_by", "decided_by"
        )
    }
    requests = _by_audit(
        ModerationRequest.objects.filter(audit_id__in=ids).select_related("requested_by"),
        lambda r: r.audit_id,
    )
    revisits = _by_audit(
        Audit.objects.filter(revisit_of_id__in=ids).order_by("created_at"),
        lambda r: r.revisit_of_id or 0,
    )
    out = []
    for audit in audits:
        data = _audit_data(audit, redact)
        data["answers"] = [
            {
                "section": a.question.section.title,
                "question": a.question.text,
                "compliance": a.get_compliance_display() if a.compliance else None,
                "grade": _grade(a.grade),
                "agreed_grade": _grade(a.agreed_grade),
                "evidence": redact(a.evidence),
                "working_well": redact(a.working_well),
                "worried_about": redact(a.worried_about),
                "no_action_reason": redact(a.no_action_reason),
            }
            for a in answers.get(audit.pk, [])
        ]
        data["participants"] = [
            {
                "name": p.staff.name,
                "role": p.get_role_display(),
                "contribution": redact(p.contribution),
            }
            for p in participants.get(audit.pk, [])
        ]
        data["flags"] = [
            {
                "raised_by": _name(f.raised_by),
                "raised_at": _when(f.raised_at),
                "reason": redact(f.reason),
                "acknowledged_by": _name(f.acknowledged_by),
                "acknowledged_at": _when(f.acknowledged_at),
                "response": redact(f.response),
            }
            for f in flags.get(audit.pk, [])
        ]
        data["actions"] = [
            {
                "description": redact(a.description),
                "owner": _name(a.owner),
                "due_date": _when(a.due_date),
                "status": a.get_status_display(),
                "completion_evidence": redact(a.completion_evidence),
                "completed_at": _when(a.completed_at),
                "signed_off_by": _name(a.signed_off_by),
                "signed_off_at": _when(a.signed_off_at),
                "sent_back_reason": redact(a.sent_back_reason),
                "cancel_reason": redact(a.cancel_reason),
                "created_at": _when(a.created_at),
            }
            for a in actions.get(audit.pk, [])
        ]
        data["feedback_replies"] = [
            {"author": _name(r.author), "at": _when(r.created_at), "text": redact(r.text)}
            for r in replies.get(audit.pk, [])
        ]
        data["family_contacts"] = [
            {
                "with": c.get_respondent_display(),
                "contact_made": c.made,
                "how": c.get_method_display() if c.method else None,
                "why_not": redact(c.not_made_reason),
                "own_words": redact(c.own_words),
                "recorded_by": _name(c.recorded_by) if c.recorded_by else "Online form",
                "recorded_at": _when(c.recorded_at),
                "answers": [
                    {
                        "question": a.question.text,
                        "reply": a.get_reply_display() if a.reply else None,
                        "text": redact(a.text),
                    }
                    for a in c.answers.all()
                ],
            }
            for c in contacts.get(audit.pk, [])
        ]
        share = shares.get(audit.pk)
        data["partner_share"] = (
            {
                "shared_with_partner_agency": redact(share.case_summary),
                "child_id_shared": share.share_child_id,
                "cohort_shared": share.share_cohort,
                "shared_at": _when(share.shared_at),
            }
            if share
            else None
        )
        data["learning_points"] = [
            {
                "kind": p.get_kind_display(),
                "about": p.question.text if p.question else "The audit as a whole",
                "author": _name(p.author),
                "text": redact(p.text),
                "created_at": _when(p.created_at),
            }
            for p in points.get(audit.pk, [])
        ]
        moderation = moderations.get(audit.pk)
        data["moderation"] = (
            None
            if moderation is None
            else {
                "status": moderation.get_status_display(),
                "reason": moderation.get_reason_display(),
                "moderator": _name(moderation.moderator),
                "moderator_overall_grade": _grade(moderation.moderator_overall_grade),
                "moderator_notes": redact(moderation.moderator_notes),
                "agreed_reason": redact(moderation.agreed_reason),
                "escalated_by": _name(moderation.escalated_by),
                "escalation_reason": redact(moderation.escalation_reason),
                "decided_by": _name(moderation.decided_by),
                "decided_reason": redact(moderation.decided_reason),
                "created_at": _when(moderation.created_at),
            }
        )
        data["moderation_requests"] = [
            {
                "requested_by": _name(r.requested_by),
                "reason": redact(r.reason),
                "status": r.get_status_display(),
            }
            for r in requests.get(audit.pk, [])
        ]
        data["revisits"] = [r.reference for r in revisits.get(audit.pk, [])]
        out.append(data)
    return out


def _events(events: Iterable[Event]) -> list[dict[str, Any]]:
    return [
        {
            "at": _when(e.at),
            "by": _login_name(e.actor),
            "what": verb_label(e.verb),
            "record": target_label(e.target_type),
            "record_id": e.target_id,
            "summary": e.summary,
        }
        for e in events
    ]


def _reads(reads: Iterable[AccessLog]) -> list[dict[str, Any]]:
    return [
        {
            "at": _when(r.at),
            "by": _login_name(r.user),
            "record": target_label(r.target_type),
            "record_id": r.target_id,
            "how": purpose_label(r.purpose),
        }
        for r in reads
    ]


def _about_child(case: ChildCase, audits: list[Audit]) -> Q:
    """The log rows about the child: their case file and their audits."""
    return Q(target_type="cases.childcase", target_id=str(case.public_id)) | Q(
        target_type="audits.audit", target_id__in=[str(a.public_id) for a in audits]
    )


def child_export(*, case: ChildCase, by: StaffMember, at: datetime.datetime) -> dict[str, Any]:
    """Everything held about the child of `case`: the case file, every audit of it in full,
    the samples and calibration exercises that chose it, the changes made to it and its
    audits (the event log) and every read of them (the access log). The child's own ID is
    theirs and stays; other people's names in free text are redacted, staff's are not."""
    redact = redaction_for(kept=[case.la_child_id])
    audits = child_audits(case)
    about = _about_child(case, audits)
    draws = SampleDrawCase.objects.filter(case=case).select_related("draw", "auditor")
    calibrations = CalibrationExercise.objects.filter(case=case).select_related("set_by")
    return {
        **_header(SubjectKind.CHILD, by, at),
        "case": _case_data(case),
        "audits": _audits_in_full(audits, redact),
        "sample_draws": [
            {
                "draw": str(d.draw.public_id),
                "method": d.draw.get_method_display(),
                "group": d.stratum_label,
                "auditor": _name(d.auditor),
                "reason": redact(d.reason),
                "unassigned_reason": d.unassigned_reason,
            }
            for d in draws
        ],
        "calibration_exercises": [
            {"title": c.title, "set_by": _name(c.set_by), "due_date": _when(c.due_date)}
            for c in calibrations
        ],
        "events": _events(Event.objects.filter(about).select_related("actor__staff")),
        "access_log": _reads(AccessLog.objects.filter(about).select_related("user__staff")),
    }


# -- a member of staff --------------------------------------------------------------------


def staff_audits(staff: StaffMember) -> list[Audit]:
    """The audits they did, and those of the cases they held (their practice, audited)."""
    return list(
        Audit.objects.filter(Q(auditor=staff) | Q(practitioner=staff))
        .select_related(*_AUDIT_RELATED, "case")
        .order_by("created_at", "pk")
    )


def _staff_record(staff: StaffMember) -> dict[str, Any]:
    user = staff.user
    return {
        "public_id": str(staff.public_id),
        "name": staff.name,
        "email": staff.email,
        "swe_number": staff.swe_number,
        "role": staff.get_role_display(),
        "team": staff.team.name if staff.team else None,
        "services": [s.name for s in staff.services.order_by("name")],
        "manager": _name(staff.manager),
        "start_date": _when(staff.start_date),
        "end_date": _when(staff.end_date),
        "is_active": staff.is_active,
        "head_of_services": [
            s.name for s in Service.objects.filter(head_of_service=staff).order_by("name")
        ],
        "login": None
        if user is None
        else {
            "username": user.get_username(),
            "active": user.is_active,
            "created_at": _when(user.date_joined),
            "last_sign_in": _when(user.last_login),
        },
    }


def _staff_audit(audit: Audit, staff: StaffMember, redact: Redact) -> dict[str, Any]:
    """An audit they did or of a case they held: what it says about their work. The child is
    named by the case's public id only, never the LA child ID."""
    data = _audit_data(audit, redact)
    data["case"] = str(audit.case.public_id)
    data["their_part"] = [
        part
        for part, is_theirs in (
            ("auditor", audit.auditor_id == staff.pk),
            ("practitioner", audit.practitioner_id == staff.pk),
        )
        if is_theirs
    ]
    return data


def staff_export(*, staff: StaffMember, by: StaffMember, at: datetime.datetime) -> dict[str, Any]:
    """Everything held about a member of staff: their record and login, their role history,
    the audits they did or of their cases, what they wrote or were given in the loop, the
    changes they made (events), what they read (the access log), their sign-ins. Children
    are named by their case's public id only; their names and IDs in free text are redacted."""
    redact = redaction_for()
    user = staff.user
    audits = staff_audits(staff)
    data: dict[str, Any] = {
        **_header(SubjectKind.STAFF, by, at),
        "staff_member": _staff_record(staff),
        "role_history": [
            {
                "role": r.get_role_display(),
                "team": r.team.name if r.team else None,
                "status": r.get_status_display(),
                "requested_by": _login_name(r.requested_by),
                "requested_at": _when(r.requested_at),
                "decided_by": _login_name(r.decided_by),
                "decided_at": _when(r.decided_at),
                "decision_note": r.decision_note,
            }
            for r in AccessRequest.objects.filter(staff=staff)
            .select_related("team", "requested_by__staff", "decided_by__staff")
            .order_by("requested_at")
        ],
        "changes_to_their_record": _events(
            Event.objects.filter(target_type="accounts.staffmember", target_id=str(staff.public_id))
            .select_related("actor__staff")
            .order_by("at")
        ),
        "cases_allocated": [
            str(c.public_id) for c in ChildCase.objects.filter(allocated_worker=staff)
        ],
        "audits": [_staff_audit(a, staff, redact) for a in audits],
        "deep_dive_participation": [
            {
                "audit": p.audit.reference,
                "role": p.get_role_display(),
                "contribution": redact(p.contribution),
            }
            for p in Participant.objects.filter(staff=staff).select_related("audit")
        ],
        "flags": [
            {
                "audit": f.audit.reference,
                "raised_by_them": f.raised_by_id == staff.pk,
                "acknowledged_by_them": f.acknowledged_by_id == staff.pk,
                "raised_at": _when(f.raised_at),
                "reason": redact(f.reason),
                "response": redact(f.response),
            }
            for f in Escalation.objects.filter(Q(raised_by=staff) | Q(acknowledged_by=staff))
            .select_related("audit")
            .order_by("raised_at")
        ],
        "actions": [
            {
                "audit": a.audit.reference,
                "owned_by_them": a.owner_id == staff.pk,
                "signed_off_by_them": a.signed_off_by_id == staff.pk,
                "description": redact(a.description),
                "due_date": _when(a.due_date),
                "status": a.get_status_display(),
                "completion_evidence": redact(a.completion_evidence),
            }
            for a in Action.objects.filter(Q(owner=staff) | Q(signed_off_by=staff))
            .select_related("audit")
            .order_by("created_at")
        ],
        "feedback_replies": [
            {"audit": r.audit.reference, "at": _when(r.created_at), "text": redact(r.text)}
            for r in FeedbackReply.objects.filter(author=staff).select_related("audit")
        ],
        # That they were asked how being audited felt, and whether they answered (the answers
        # themselves are kept with no person on them, so they cannot be found for anyone).
        "experience_asked": [
            {"audit": e.audit.reference, "answered": e.answered, "on": _when(e.on)}
            for e in ExperienceAsked.objects.filter(staff=staff)
            .select_related("audit")
            .order_by("on", "pk")
        ],
        "late_audits_escalated_to_them": [
            {
                "audit": e.audit.reference,
                "step": e.get_step_display(),
                "escalated_on": _when(e.escalated_on),
                "told_on": _when(e.notified_on),
            }
            for e in LateEscalation.objects.filter(recipient=staff)
            .select_related("audit")
            .order_by("escalated_on", "pk")
        ],
        "learning_points": [
            {
                "audit": p.audit.reference,
                "kind": p.get_kind_display(),
                "text": redact(p.text),
                "created_at": _when(p.created_at),
            }
            for p in LearningPoint.objects.filter(author=staff).select_related("audit")
        ],
        "key_messages": [
            {
                "title": k.title,
                "written_by_them": k.author_id == staff.pk,
                "reviewed_by_them": k.reviewer_id == staff.pk,
                "published_at": _when(k.published_at),
            }
            for k in KeyMessage.objects.filter(Q(author=staff) | Q(reviewer=staff))
        ],
        "key_messages_received": [
            {"title": r.key_message.title, "sent_at": _when(r.sent_at)}
            for r in KeyMessageRecipient.objects.filter(staff=staff).select_related("key_message")
        ],
        "training_attended": [
            {"event": str(t.event), "source": t.get_source_display()}
            for t in TrainingAttendance.objects.filter(staff=staff).select_related("event")
        ],
        "moderations": [
            {
                "audit": m.audit.reference,
                "status": m.get_status_display(),
                "moderator_notes": redact(m.moderator_notes),
            }
            for m in Moderation.objects.filter(
                Q(moderator=staff) | Q(escalated_by=staff) | Q(decided_by=staff)
            ).select_related("audit")
        ],
        "moderation_requests": [
            {"audit": r.audit.reference, "reason": redact(r.reason)}
            for r in ModerationRequest.objects.filter(requested_by=staff).select_related("audit")
        ],
        "moderation_meetings": [
            {"held_on": _when(m.held_on), "kind": m.get_kind_display()}
            for m in ModerationMeeting.objects.filter(
                Q(attendees=staff) | Q(recorded_by=staff)
            ).distinct()
        ],
        "calibration_exercises_set": [
            {"title": c.title, "due_date": _when(c.due_date)}
            for c in CalibrationExercise.objects.filter(set_by=staff)
        ],
        "sample_allocations": [
            {"draw": str(d.draw.public_id), "case": str(d.case.public_id)}
            for d in SampleDrawCase.objects.filter(auditor=staff).select_related("draw", "case")
        ],
        "cycles_auditing": [str(c) for c in Cycle.objects.filter(auditors=staff)],
        "events_caused": [],
        "reads": [],
        "sign_ins": {"last": None, "failed": []},
        "refused_requests": [],
        "notifications": [],
        "api_tokens": [],
    }
    if user is not None:
        data["events_caused"] = _events(
            Event.objects.filter(actor=user).select_related("actor__staff").order_by("at")
        )
        data["reads"] = _reads(
            AccessLog.objects.filter(user=user).select_related("user__staff").order_by("at")
        )
        data["sign_ins"] = {
            "last": _when(user.last_login),
            "failed": [
                {"at": _when(f.at), "ip_address": f.ip_address, "locked_out": f.locked_out}
                for f in FailedSignIn.objects.filter(user=user).order_by("at")
            ],
        }
        data["refused_requests"] = [
            {"at": _when(r.at), "method": r.method, "path": r.path, "status": r.status}
            for r in RefusedRequest.objects.filter(user=user).order_by("at")
        ]
        data["notifications"] = [
            {"at": _when(n.created_at), "message": redact(n.message), "read_at": _when(n.read_at)}
            for n in Notification.objects.filter(recipient=user).order_by("created_at")
        ]
        data["api_tokens"] = [
            {
                "name": t.name,
                "created_at": _when(t.created_at),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in user.api_tokens.order_by("created_at")
        ]
    return data
