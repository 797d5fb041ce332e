# Which grades need an action before an audit is submitted: a flag on each grade, so that any
# scale can say which of its grades fall short. The shipped scales get the council's defaults
# (Requires improvement and Inadequate; 0 to 5 on the 0-10 scaling); a scale a council built
# itself starts with its inadequate grades, which an audit lead can widen on the scale's page.
# A completed action now waits for a team manager's sign-off, and says so.

from django.db import migrations, models

OFSTED_NEEDS_ACTION = ["requires_improvement", "inadequate"]
SCALING_NEEDS_ACTION_UP_TO = 5


def set_needs_action(apps, schema_editor):
    Grade = apps.get_model("audits", "Grade")
    Grade.objects.filter(scale__slug="ofsted-four", code__in=OFSTED_NEEDS_ACTION).update(
        needs_action=True
    )
    Grade.objects.filter(
        scale__slug="scaling-0-10", value__lte=SCALING_NEEDS_ACTION_UP_TO
    ).update(needs_action=True)
    Grade.objects.exclude(scale__slug__in=["ofsted-four", "scaling-0-10"]).filter(
        is_inadequate=True
    ).update(needs_action=True)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0004_agreed_grades_action_sign_off_and_calibration"),
    ]

    operations = [
        migrations.AddField(
            model_name="grade",
            name="needs_action",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(set_needs_action, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="action",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("completed", "Waiting for sign-off"),
                    ("closed", "Closed"),
                    ("cancelled", "Cancelled"),
                ],
                db_index=True,
                default="open",
                max_length=10,
            ),
        ),
    ]
