"""Load the CPIMS-aligned case categories and the default deadlines by risk."""

from django.db import migrations


def load(apps, schema_editor):
    from kinga.cases.codes import CATEGORIES
    from kinga.cases.models.case import RiskPolicy as LivePolicy

    Category = apps.get_model("cases", "CaseCategory")
    Policy = apps.get_model("cases", "RiskPolicy")
    by_code = {}
    for position, (code, label, parent) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            code=code,
            defaults={"label": str(label), "parent": by_code.get(parent), "sort_order": position},
        )
        by_code[code] = category
    for risk, values in LivePolicy.DEFAULTS.items():
        Policy.objects.get_or_create(risk=str(risk), defaults=values)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
