"""One status vocabulary for every CSV import (CsvUpload.Status, surveys 0006).

The shared vocabulary is the one history imports already used ("checking", "checked", with the same
labels), so their column and their rows stay as they are: nothing to change here. The migration stays so
that the chain the other apps depend on is unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("responses", "0004_history_import"), ("surveys", "0006_one_import_status")]

    operations = []
