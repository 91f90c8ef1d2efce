"""Create the first admin of an installation without the interactive createsuperuser dialogue."""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from nps.accounts import services

PASSWORD_VARIABLE = "OPENNPS_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)


class Command(BaseCommand):
    help = f"Create an active admin. Password from ${PASSWORD_VARIABLE}, else a prompt on a terminal."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The admin's email address; they sign in with it.")
        parser.add_argument("--name", default="", help="The admin's name as teammates see it.")

    def handle(self, *args, email, name, **options):
        password = os.environ.get(PASSWORD_VARIABLE) or self.prompt_password()
        try:
            user = services.create_admin(email=email, password=password, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except services.AccountError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Admin {user.email} created. They can sign in now."))

    def prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password: set the environment variable {PASSWORD_VARIABLE} "
                "or run the command in a terminal."
            )
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password again: "):
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password is empty.")
        return password
