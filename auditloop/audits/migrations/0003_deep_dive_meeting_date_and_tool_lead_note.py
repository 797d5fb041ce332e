# A deep dive's meeting date; a note on a tool version for audit leads only, and the default
# compliance tool's "verify" note moved into it from the guidance auditors read.

from django.db import migrations, models

# As shipped in the default compliance tool's guidance before this migration.
OLD_NOTE = (
    "Checks marked 'verify' have not been checked against the primary text: your audit lead "
    "can reword them in a new version of this tool."
)
LEAD_NOTE = (
    "Checks marked 'verify' have not been checked against the primary text: check them, and "
    "reword them in a new version of this tool."
)


def move_verify_note_to_leads(apps, schema_editor):
    ToolVersion = apps.get_model("audits", "ToolVersion")
    for version in ToolVersion.objects.filter(guidance__contains=OLD_NOTE):
        version.guidance = version.guidance.replace(OLD_NOTE, "").strip()
        if not version.lead_note:
            version.lead_note = LEAD_NOTE
        version.save(update_fields=["guidance", "lead_note"])


def move_verify_note_back(apps, schema_editor):
    ToolVersion = apps.get_model("audits", "ToolVersion")
    for version in ToolVersion.objects.filter(lead_note=LEAD_NOTE):
        version.guidance = f"{version.guidance} {OLD_NOTE}".strip()
        version.save(update_fields=["guidance"])


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0002_action_cancel_reason'),
    ]

    operations = [
        migrations.AddField(
            model_name='audit',
            name='meeting_date',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='toolversion',
            name='lead_note',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(move_verify_note_to_leads, move_verify_note_back),
    ]
