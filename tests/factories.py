"""Plain factory functions with sensible defaults: make_x(**fields) -> saved row."""

import itertools

from nps.accounts.models import User
from nps.accounts.roles import Role
from responses.models import Answer
from surveys.models import Brand, Campaign, Contact, Invitation

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-9"


def make_user(*, role=Role.ADMIN, password=PASSWORD, **fields):
    fields.setdefault("email", f"user{next(_seq)}@example.com")
    fields.setdefault("name", "Test User")
    return User.objects.create_user(password=password, role=role, **fields)


def make_brand(**fields):
    n = next(_seq)
    fields.setdefault("name", f"Acme {n}")
    fields.setdefault("company_name", "Acme")
    fields.setdefault("sender_name", "Acme Support")
    fields.setdefault("sender_email", "support@acme.example")
    return Brand.objects.create(**fields)


def make_campaign(*, brand=None, **fields):
    fields.setdefault("name", "Quarterly NPS")
    fields.setdefault("channels", ["email"])
    return Campaign.objects.create(brand=brand or make_brand(), **fields)


def make_contact(**fields):
    if "email" not in fields and "phone" not in fields:
        fields["email"] = f"customer{next(_seq)}@example.com"
    fields.setdefault("name", "Asha Rao")
    return Contact.objects.create(**fields)


def make_invitation(*, campaign=None, contact=None, **fields):
    return Invitation.objects.create(
        campaign=campaign or make_campaign(), contact=contact or make_contact(), **fields
    )


def make_answer(*, score=9, campaign=None, invitation=None, **fields):
    if invitation is not None:
        campaign = invitation.campaign
        fields.setdefault("contact", invitation.contact)
    campaign = campaign or make_campaign()
    fields.setdefault("channel", "email")
    return Answer.objects.create(invitation=invitation, campaign=campaign, score=score, **fields)
