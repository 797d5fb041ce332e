"""The JSON population is in rows now (0004): its column goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sampling", "0005_draw_population_rows")]

    operations = [migrations.RemoveField(model_name="sampledraw", name="population")]
