"""Load the 47 counties and the coastal sub-counties, wards and hotspots.

Idempotent (rows are matched on natural keys), so it is safe to re-run, and a later
migration can call ``load_kenya`` again after ``data/kenya.json`` has grown. Reversing it
deletes nothing: other tables point at these rows, and the rows are harmless to keep.
"""

from django.db import migrations

from kinga.geo.loading import load_kenya


def forwards(apps, schema_editor):
    load_kenya(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
