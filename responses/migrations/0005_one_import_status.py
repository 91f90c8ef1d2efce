from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("responses", "0004_history_import"), ("surveys", "0006_one_import_status")]

    operations = []
