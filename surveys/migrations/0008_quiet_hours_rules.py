"""The stricter US state hours for texts (47 CFR 64.1200(c)(1) sets 08:00-21:00; these states narrow it).

Admins edit the table on the quiet hours page; docs/sms-and-whatsapp.md lists the sources.
"""

from datetime import time

from django.db import migrations

RULES = [
    ("US-FL", None, time(8), time(20), "Florida Telephone Solicitation Act"),
    ("US-MD", None, time(8), time(20), "Maryland Stop the Spam Calls Act"),
    ("US-MS", None, time(8), time(20), "Mississippi telephone solicitation law"),
    ("US-NJ", None, time(8), time(20), "New Jersey telemarketing law"),
    ("US-OK", None, time(8), time(20), "Oklahoma Telephone Solicitation Act"),
    ("US-CT", None, time(9), time(20), "Connecticut telemarketing law"),
    ("US-TX", None, time(9), time(21), "Texas Business and Commerce Code 301.051, Monday to Saturday"),
    ("US-TX", 6, time(12), time(21), "Texas Business and Commerce Code 301.051, Sunday"),
]


def add_rules(apps, schema_editor):
    rule = apps.get_model("surveys", "QuietHoursRule")
    for region, weekday, start, end, note in RULES:
        rule.objects.get_or_create(region=region, weekday=weekday, defaults={"start": start, "end": end, "note": note})


def remove_rules(apps, schema_editor):
    rule = apps.get_model("surveys", "QuietHoursRule")
    for region, weekday, *_ in RULES:
        rule.objects.filter(region=region, weekday=weekday).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0007_texting")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
