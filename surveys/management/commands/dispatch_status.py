"""`manage.py dispatch_status`: exit 1 when the dispatcher has not run lately (beat or every worker gone).

docker-compose.yml's beat health check; see docs/operations.md ("Background work").
"""

from django.core.management.base import BaseCommand, CommandError

from surveys import delivery


class Command(BaseCommand):
    help = "Report the dispatcher's last run; exit 1 when it is older than a few minutes."

    def handle(self, *args, **options):
        last = delivery.last_dispatch()
        if not delivery.dispatcher_is_alive():
            raise CommandError(f"The dispatcher has not run since {last.isoformat() if last else 'start'}.")
        self.stdout.write(f"The dispatcher ran at {last.isoformat()}.")
