"""Bulk rows for benchmarks, written through the ORM's bulk paths."""

from pathlib import Path

from django.utils import timezone

from surveys.models import Brand, Campaign, Contact, Invitation, new_token


def seed_invitations(count: int, tokens_file: str) -> None:
    """One campaign with `count` sent email invitations; their tokens go to `tokens_file`, one a line."""
    brand = Brand.objects.create(
        name="Bench", company_name="Bench Co", sender_name="Bench", sender_email="bench@example.com"
    )
    campaign = Campaign.objects.create(name="Bench", brand=brand, channels=["email"], status="running")
    contacts = Contact.objects.bulk_create(
        [Contact(email=f"bench{i}@example.com", name=f"Customer {i}") for i in range(count)], batch_size=5000
    )
    now = timezone.now()
    invitations = [
        Invitation(campaign=campaign, contact=contact, token=new_token(), state="sent", sent_at=now)
        for contact in contacts
    ]
    Invitation.objects.bulk_create(invitations, batch_size=5000)
    Path(tokens_file).write_text("\n".join(i.token for i in invitations) + "\n")
