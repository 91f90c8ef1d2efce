import time

from django.core.management.base import BaseCommand

from dashboards import rollups


class Command(BaseCommand):
    help = "Recompute the dashboard rollups from every answer and invitation (PostgreSQL)."

    def handle(self, *args, **options):
        if not rollups.is_supported():
            self.stdout.write("This database has no rollups: dashboards read answers directly.")
            return
        started = time.monotonic()
        state = rollups.rebuild()
        keys = ", ".join(state.segment_keys) or "none"
        self.stdout.write(
            f"Rollups rebuilt in {time.monotonic() - started:.1f} s; segment properties: {keys}."
        )
