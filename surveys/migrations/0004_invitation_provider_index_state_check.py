from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_contact_import")]

    operations = []
