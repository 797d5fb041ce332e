"""What the event log and the access log call things, in the words of the people who read them:
"Audit answers saved", not `audit.answers_saved`; "Sample draw", not `sampling.sampledraw`."""

from __future__ import annotations

from django.apps import apps

# Every verb a service writes. A verb missing here still reads as words (see `verb_label`),
# but the test of this module asks for each one the code writes to be named here.
VERB_LABELS = {
    "action.cancelled": "Action cancelled",
    "action.completed": "Action marked as done",
    "action.created": "Action added",
    "action.reminder_sent": "Overdue action reminder sent",
    "action.sent_back": "Action sent back to its owner",
    "action.signed_off": "Action signed off",
    "api_token.created": "API token made",
    "api_token.revoked": "API token revoked",
    "audit.answers_saved": "Audit answers saved",
    "audit.completed": "Audit completed",
    "audit.created": "Audit planned",
    "audit.moved": "Audit status changed",
    "audit.participant_added": "Deep-dive participant added",
    "audit.participant_removed": "Deep-dive participant removed",
    "audit.reminder_sent": "Audit reminder sent",
    "audit.returned": "Audit returned to its auditor",
    "audit.revisit_scheduled": "Revisit scheduled",
    "audit.started": "Audit started",
    "audit.submitted": "Audit submitted",
    "audit_tool.created": "Audit tool created",
    "audit_tool.installed": "Audit tool installed",
    "calibration.set": "Calibration exercise set",
    "case.closed": "Case file closed",
    "case.created": "Case file added",
    "case.reopened": "Case file reopened",
    "case.updated": "Case file changed",
    "cycle.auditors_changed": "Cycle auditors changed",
    "cycle.changed": "Cycle changed",
    "cycle.created": "Cycle planned",
    "cycle.month_planned": "Month of audits planned",
    "cycle.quota_added": "Team quota added",
    "cycle.quota_removed": "Team quota removed",
    "cycle_review.failed": "Cycle review could not be built",
    "cycle_review.issued": "Cycle review issued",
    "cycle_review.requested": "Cycle review asked for",
    "dashboard.exported": "Dashboard table downloaded",
    "demo.logins_prepared": "Demo logins prepared",
    "demo.seeded": "Demo council built",
    "escalation.acknowledged": "Unsafe-child flag acknowledged",
    "escalation.raised": "Unsafe-child flag raised",
    "feedback.replied": "Practitioner replied to feedback",
    "grading_scale.action_grades_set": "Grades needing an action changed",
    "grading_scale.created": "Grading scale created",
    "grading_scale.grade_added": "Grade added to a scale",
    "grading_scale.grade_removed": "Grade removed from a scale",
    "import.failed": "Import failed",
    "import.imported": "File imported",
    "import.queued": "File queued for import",
    "import.rejected": "Import rejected",
    "import.unchanged": "Import changed nothing",
    "inspection_pack.made": "Inspection pack made",
    "key_message.briefing_exported": "Key message briefing exported",
    "learning_point.added": "Learning point marked",
    "learning_point.changed": "Learning point changed",
    "learning_point.removed": "Learning point removed",
    "key_message.acknowledged": "Key message read and acknowledged",
    "key_message.compiled": "Key message compiled",
    "key_message.edited": "Key message draft changed",
    "key_message.published": "Key message published",
    "key_message.redaction_added": "Key message: reviewer redacted more",
    "key_message.redaction_kept": "Key message: reviewer undid a redaction",
    "key_message.redaction_restored": "Key message: reviewer redacted again",
    "key_message.sent_back": "Key message sent back to its author",
    "key_message.submitted": "Key message sent for review",
    "key_message.withdrawn": "Key message withdrawn",
    "moderation.agreed": "Agreed grades confirmed by the auditor",
    "moderation.agreement_recorded": "Agreed grades recorded by the moderator",
    "moderation.decided": "Moderation disagreement decided",
    "moderation.escalated": "Moderation disagreement sent to the head of service",
    "moderation.regraded": "Audit regraded blind by its moderator",
    "moderation.added": "Audit added to moderation",
    "moderation.asked_for": "Moderation asked for",
    "moderation.moderator_changed": "Moderator changed",
    "moderation.moderator_given": "Moderator given",
    "moderation.request_withdrawn": "Request for moderation withdrawn",
    "moderation_sample.drawn": "Moderation sample drawn",
    "moderation_meeting.recorded": "Moderation meeting recorded",
    "notification.all_read": "All notifications marked as read",
    "notification.read": "Notification marked as read",
    "sample.case_chosen": "Case added to a pick list",
    "sample.case_unchosen": "Case taken off a pick list",
    "sample.chosen_planned": "Audits planned from a pick list",
    "sample.drawn": "Sample drawn",
    "service.created": "Service added",
    "service.updated": "Service changed",
    "staff.access_approved": "Role change approved",
    "staff.access_ended": "All sessions and API tokens ended",
    "staff.access_rejected": "Role change rejected",
    "staff.access_requested": "Role change asked for",
    "staff.access_withdrawn": "Role change request withdrawn",
    "staff.created": "Member of staff added",
    "staff.deactivated": "Member of staff deactivated",
    "staff.imported": "Member of staff added from a staff list",
    "staff.left": "Left on their end date: login closed",
    "staff.login_created": "Login created",
    "staff.password_reset": "Password reset",
    "staff.reactivated": "Member of staff reactivated",
    "staff.updated": "Staff record changed",
    "staff.updated_by_import": "Staff record changed by a staff list",
    "target.removed": "Grade target removed",
    "target.set": "Grade target set",
    "team.created": "Team added",
    "team.updated": "Team changed",
    "team_picture.exported": "Team picture exported",
    "tool_version.discarded": "Audit tool draft discarded",
    "tool_version.draft_created": "Audit tool draft started",
    "tool_version.published": "Audit tool version published",
    "tool_version.question_added": "Question added to a draft",
    "tool_version.question_moved": "Question moved in a draft",
    "tool_version.question_retired": "Question retired from a draft",
    "tool_version.question_reworded": "Question reworded in a draft",
    "tool_version.scale_changed": "Grading scale of a draft changed",
    "tool_version.section_added": "Section added to a draft",
    "theme.added": "Theme added to the theme list",
    "theme.changed": "Theme renamed or described",
    "theme.restored": "Theme offered again",
    "theme.retired": "Theme retired",
    "training_event.attendance_changed": "Training register changed",
    "training_event.created": "Training event recorded",
    "training_need.dismissed": "Training need dismissed",
    "training_need.met": "Training need marked met",
    "training_need.planned": "Training planned for a need",
    "training_need.raised": "Training need raised",
    "training_rule.activated": "Training rule switched on",
    "training_rule.changed": "Training rule changed",
    "training_rule.created": "Training rule set",
    "training_rule.deactivated": "Training rule switched off",
    "theme_suggestion.accepted": "Theme suggestion accepted",
    "theme_suggestion.proposed": "Theme suggested",
    "theme_suggestion.rejected": "Theme suggestion rejected",
    "tool_version.section_moved": "Section moved in a draft",
    "tool_version.section_removed": "Section removed from a draft",
    "tool_version.section_renamed": "Section renamed in a draft",
    "user.one_time_password_used": "Signed in with a one-time password",
    "user.password_changed": "Password changed",
    "user.session_ended": "Own session ended",
    "user.sessions_ended_elsewhere": "Signed out everywhere else",
}

# Where the users' word is not the model's name.
TARGET_LABELS = {
    "accounts.staffmember": "Staff member",
    "accounts.user": "Login",
    "accounts.accessrequest": "Role change request",
    "api.apitoken": "API token",
    "assurance.calibrationexercise": "Calibration exercise",
    "assurance.moderationmeeting": "Moderation meeting",
    "audits.escalation": "Unsafe-child flag",
    "audits.feedbackreply": "Reply to feedback",
    "audits.toolversion": "Audit tool version",
    "cases.childcase": "Case file",
    "core.event": "Event log entry",
    "imports.importrun": "File import",
    "learning.learningpoint": "Learning point",
    "learning.theme": "Theme",
    "learning.themesuggestion": "Theme suggestion",
    "sampling.sampledraw": "Sample draw",
}

# Why someone opened a record, as the access log says it.
PURPOSE_LABELS = {
    "view": "Read",
    "write": "Opened to change",
    "listed": "Named on a list",
    "api": "Read through the API",
    "event log": "Read in the event log",
    "escalation": "Read with an unsafe-child flag",
    "escalation listed": "Named on a list of unsafe-child flags",
    "flagged audit": "Read to act on an unsafe-child flag",
    "action": "Read with an action",
    "action listed": "Named on a list of actions",
    "search": "Found by a search",
    "sample draw": "Named in a sample draw",
    "month plan": "Named on a month's plan",
    "pick list": "Named on a pick list",
    "moderation": "Read to moderate it, or with its moderation",
    "grade history": "Grade history read",
    "revisit": "Read beside its revisit",
    "moderation listed": "Named on a list of moderations",
    "moderation sample": "Named in a moderation sample",
    "calibration": "Read in a calibration exercise",
    "moderation meeting": "Read in a moderation meeting's record",
    "feedback": "Read on a feedback page",
    "learning points": "Read with its learning points",
    "key message": "Learning points drawn, redacted, into a key message",
    "theme suggestion": "Learning points shown, redacted, with a theme suggestion",
    "inspection pack": "Named, with its case, in an inspection pack",
}

_ACRONYMS = {"api": "API", "la": "LA", "id": "ID", "cp": "CP", "cin": "CIN", "cla": "CLA"}


def _sentence(words: list[str]) -> str:
    text = " ".join(_ACRONYMS.get(w, w) for w in words if w)
    return text[:1].upper() + text[1:]


def verb_label(verb: str) -> str:
    """What happened, in words: the table above, else the code read as words."""
    if verb in VERB_LABELS:
        return VERB_LABELS[verb]
    return _sentence(verb.replace(".", " ").replace("_", " ").split())


def purpose_label(purpose: str) -> str:
    return PURPOSE_LABELS.get(purpose) or _sentence(purpose.replace("_", " ").split())


def target_label(target_type: str) -> str:
    """The kind of record, in words: the table above, else the model's own verbose name
    ("sampling.sampledraw" is "Sample draw"), else the code read as words."""
    if target_type in TARGET_LABELS:
        return TARGET_LABELS[target_type]
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return _sentence(target_type.split(".")[-1].replace("_", " ").split())
    return _sentence(str(model._meta.verbose_name).split())
