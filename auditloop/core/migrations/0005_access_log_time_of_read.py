import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """AccessLog.at is set by access_shown at the time of the read (kept when a row is written
    late, from the spool) instead of by auto_now_add at the time of the write. The column is
    the same on every database: only Django's state changes, so SQLite does not rebuild the
    table."""

    dependencies = [
        ("core", "0004_refused_requests_and_failed_sign_ins"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="accesslog",
                    name="at",
                    field=models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, editable=False
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
