from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_contact_property_keys")]

    operations = []
