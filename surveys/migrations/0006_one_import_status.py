"""One status vocabulary for every CSV import (CsvUpload.Status): contact imports said "validating" and
"validated" where history imports said "checking" and "checked" for the same steps, with the same labels.
"""

from django.db import migrations, models

OLD_TO_NEW = {"validating": "checking", "validated": "checked"}


def to_shared_statuses(apps, schema_editor):
    ContactImport = apps.get_model("surveys", "ContactImport")
    for old, new in OLD_TO_NEW.items():
        ContactImport.objects.filter(status=old).update(status=new)


def to_contact_statuses(apps, schema_editor):
    ContactImport = apps.get_model("surveys", "ContactImport")
    for old, new in OLD_TO_NEW.items():
        ContactImport.objects.filter(status=new).update(status=old)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_contact_property_keys")]

    operations = [
        migrations.AlterField(
            model_name="contactimport",
            name="status",
            field=models.CharField(
                choices=[
                    ("uploaded", "Waiting for column mapping"),
                    ("checking", "Checking rows"),
                    ("checked", "Checked, waiting for your choice"),
                    ("importing", "Importing"),
                    ("imported", "Imported"),
                    ("cancelled", "Nothing imported"),
                    ("failed", "Failed"),
                ],
                default="uploaded",
                max_length=10,
            ),
        ),
        migrations.RunPython(to_shared_statuses, to_contact_statuses),
    ]
