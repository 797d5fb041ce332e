# A version number on audits and tool versions, moved on by every save, so that a save from a
# page drawn before another one is refused rather than saved over it (optimistic locking,
# auditloop/core/versions.py). The database's own default lets bulk loads leave it out.
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audits', '0007_family_view'),
    ]

    operations = [
        migrations.AddField(
            model_name='audit',
            name='version',
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name='toolversion',
            name='version',
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
    ]
