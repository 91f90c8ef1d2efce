from django.core.management.base import BaseCommand, CommandError

from nps.api import keys


class Command(BaseCommand):
    help = "Create an API key and print it on stdout (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="What uses the key, e.g. 'CRM sync'.")
        parser.add_argument("--read-only", action="store_true", help="The key can read but not write.")

    def handle(self, *args, name, read_only, **options):
        if not name.strip():
            raise CommandError("--name must not be empty.")
        if len(name) > 100:
            raise CommandError("--name must be at most 100 characters.")
        _key, raw = keys.create_api_key(name=name, read_only=read_only)
        # Only the key on stdout, so scripts can capture it: KEY=$(manage.py create_api_key --name ci)
        self.stdout.write(raw)
