import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nps import demo


class Command(BaseCommand):
    help = "Load the demo workspace (users, brand, campaigns, contacts, 18 months of answers). Runs once."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=5000, help="Number of contacts (default 5000).")
        parser.add_argument("--answers", type=int, default=20000, help="Number of answers (default 20000).")

    def handle(self, *args, contacts, answers, **options):
        if contacts < 1 or answers < 0:
            raise CommandError("--contacts must be at least 1 and --answers at least 0.")
        started = time.monotonic()
        summary = demo.seed(contacts=contacts, answers=answers)
        if summary.created:
            self.stdout.write(
                f"Demo workspace “{demo.BRAND_NAME}” created: {summary.contacts:,} contacts, "
                f"{summary.invitations:,} invitations, {summary.answers:,} answers "
                f"in {time.monotonic() - started:.1f} s."
            )
            self.stdout.write(
                f"Texts: {summary.texts_sent} sent to {settings.SMS_OUTBOX_DIR}, {summary.texts_waiting} "
                "waiting for the recipients' quiet hours to end. Reply as the customer on /demo/phone/."
            )
            base = settings.PUBLIC_BASE_URL
            self.stdout.write(
                f"On-site widget: try it on the demo host page {base}/demo/host/ "
                f"(site key {demo.onsite.SITE_KEY}); the counter campaign's public link and kiosk are on "
                "its campaign page."
            )
            self.stdout.write(
                f"Follow-up: {summary.cases} cases ({summary.cases_open} open, {summary.cases_overdue} "
                f"overdue) in {base}/cases/; Slack alerts land on the demo catcher {base}/demo/slack/, "
                f"email alerts in {settings.MAIL_OUTBOX_DIR}."
            )
            learned = "learned from the comments" if summary.themes_learned else "not learned yet"
            self.stdout.write(
                f"Themes: {summary.rule_themes} rule themes ({', '.join(demo.themes.RULE_THEMES)}); the discovered "
                f"themes {learned}."
            )
        else:
            self.stdout.write(f"Demo workspace “{demo.BRAND_NAME}” already exists; nothing to do.")
        self.stdout.write(f"Demo logins (password for all: {demo.PASSWORD}):")
        for email, _name, role in demo.USERS:
            self.stdout.write(f"  {role.label:<7} {email}")
