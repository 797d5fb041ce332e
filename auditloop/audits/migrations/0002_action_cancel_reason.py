# Cancel reasons move from the event log onto the action, and the event log stops holding
# audit content: existing rows keep the names of the content fields they touched, not the text.

from django.db import migrations, models

# verb -> the keys of before/after that held audit content (free text, grades, reasons).
CONTENT_KEYS = {
    "audit.answers_saved": [
        "overall_grade",
        "strengths",
        "areas_for_development",
        "impact_on_child",
        "practitioner_reflection",
    ],
    "action.created": ["description", "completion_evidence"],
    "action.completed": ["description", "completion_evidence"],
    "action.cancelled": ["description", "completion_evidence", "reason"],
    "feedback.replied": ["text"],
    "escalation.raised": ["reason"],
    "escalation.acknowledged": ["response"],
    "sample.case_chosen": ["reason"],
    "sample.case_unchosen": ["reason"],
}
RENAMED = {"reason": "cancel_reason"}  # an action's cancel reason has its own field now


def move_cancel_reasons(apps, schema_editor):
    Action = apps.get_model("audits", "Action")
    Event = apps.get_model("core", "Event")
    cancellations = Event.objects.filter(verb="action.cancelled", target_type="audits.action")
    for event in cancellations.order_by("at").iterator():
        reason = (event.after or {}).get("reason") or ""
        Action.objects.filter(public_id=event.target_id).update(
            cancel_reason=reason, cancelled_at=event.at
        )


def scrub_event_content(apps, schema_editor):
    Event = apps.get_model("core", "Event")
    for event in Event.objects.filter(verb__in=list(CONTENT_KEYS)).iterator():
        keys = CONTENT_KEYS[event.verb]
        before, after = dict(event.before or {}), dict(event.after or {})
        changed = [
            k
            for k in keys
            if (k in before or k in after) and (before.get(k) or None) != (after.get(k) or None)
        ]
        if event.verb == "action.cancelled":
            changed = ["reason"]
        for k in keys:
            before.pop(k, None)
            after.pop(k, None)
        event.before, event.after = before, after
        names = [RENAMED.get(k, k) if event.verb.startswith("action.") else k for k in changed]
        event.content_changed = list(dict.fromkeys([*(event.content_changed or []), *names]))
        event.save(update_fields=["before", "after", "content_changed"])


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_initial"),
        ("core", "0003_event_content_changed"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="cancel_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="action",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(move_cancel_reasons, migrations.RunPython.noop),
        migrations.RunPython(scrub_event_content, migrations.RunPython.noop),
    ]
