from datetime import timedelta

from django.utils import timezone

from surveys.models import Invitation
from tests.factories import make_invitation


def make_sent_invitation(*, sent_ago=timedelta(hours=1), **fields):
    """An invitation whose email went out `sent_ago` before now: its links work."""
    sent_at = timezone.now() - sent_ago
    fields.setdefault("state", Invitation.State.SENT)
    return make_invitation(sent_at=sent_at, state_changed_at=sent_at, **fields)
