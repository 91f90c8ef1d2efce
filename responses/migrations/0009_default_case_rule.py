"""Every detractor opens a case, out of the box (docs/follow-up.md); admins change or remove the rule."""

from django.db import migrations


def add_default_rule(apps, schema_editor):
    CaseRule = apps.get_model("responses", "CaseRule")
    if not CaseRule.objects.exists():
        CaseRule.objects.create(name="Every detractor", conditions={"groups": ["detractor"]}, priority="normal")


class Migration(migrations.Migration):
    dependencies = [("responses", "0008_follow_up")]

    operations = [migrations.RunPython(add_default_rule, migrations.RunPython.noop)]
