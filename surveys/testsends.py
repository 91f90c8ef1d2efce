"""Send a test to me: a campaign's real message, in a language the sender picks, to their own email address
or to a number they type, through the real channel (the configured email backend; the texting provider).

A test is not an invitation: there is no Invitation row and no contact, so nothing counts in the figures,
the dashboard or a contact's throttle. Its links carry a test token (models.new_test_token): the answer
pages show the campaign's answer page in preview mode and record nothing. A suppressed address gets no
test either: the suppression list holds for everyone's messages.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from nps import audit
from nps.inputs import NUL
from nps.logsafe import mask_addresses

from .channels import CHANNELS, get_channel
from .contacts import ContactError, normalize_email, normalize_phone
from .models import TEXT_CHANNELS, Campaign, Channel, Contact, Invitation, Suppression, TestSend

log = logging.getLogger(__name__)

# How long a test's links open the preview of the answer page.
TEST_LINK_DAYS = 30
# Tests one staff member may send (nps.ratelimit syntax): texts cost money, and a typed number may be anyone's.
TEST_SEND_RATE = "10/h"


class TestSendError(Exception):
    """A test that cannot be sent; the message is shown to the user."""

    __test__ = False


def sendable_channels(campaign: Campaign) -> list[str]:
    """The campaign's channels a test can go through: those that send and can send now."""
    return [
        value
        for value in campaign.channels
        if value in CHANNELS and CHANNELS[value].sends and CHANNELS[value].is_configured()
    ]


def is_test_token(token: str) -> bool:
    """Whether an answer link's token is a test's (no invitation token holds a ".")."""
    return token.startswith("t.") and len(token) <= 16


def find_test(token: str) -> TestSend | None:
    """The test whose links carry `token`, while they are valid; None otherwise."""
    if not is_test_token(token) or NUL in token:
        return None
    since = timezone.now() - timedelta(days=TEST_LINK_DAYS)
    return (
        TestSend.objects.select_related("campaign__brand").filter(token=token, created_at__gte=since).first()
    )


def invitation_of(test: TestSend, *, name: str = "") -> Invitation:
    """The unsaved invitation a test stands for: its links carry the test token, its texts are the
    campaign's current ones in the test's language."""
    is_text = test.channel in TEXT_CHANNELS
    contact = Contact(
        name=name,
        email=None if is_text else test.address,
        phone=test.address if is_text else None,
        language=test.language,
    )
    return Invitation(
        campaign=test.campaign,
        contact=contact,
        channel=test.channel,
        token=test.token,
        short_token=test.token,
        language=test.language,
    )


def _address(channel: str, *, user, phone: str) -> str:
    if channel == Channel.EMAIL:
        try:
            return normalize_email(user.email or "")
        except ContactError:
            raise TestSendError("Your account has no valid email address to send the test to.") from None
    if not phone.strip():
        raise TestSendError("Enter the mobile number to text the test to, with its country code.")
    try:
        return normalize_phone(phone)
    except ContactError as error:
        raise TestSendError(str(error)) from None


def send_test(campaign: Campaign, *, user, channel: str, language: str, phone: str = "") -> TestSend:
    """Send the campaign's message on `channel` in `language` to the user's own email (email) or to `phone`
    (texts); audited. Raises TestSendError with a reason to show."""
    if campaign.status == Campaign.Status.ARCHIVED:
        raise TestSendError("An archived campaign sends nothing, tests included.")
    if channel not in sendable_channels(campaign):
        raise TestSendError("This campaign cannot send a test on that channel.")
    if language not in dict(settings.LANGUAGES):
        raise TestSendError("Choose one of the languages offered.")
    address = _address(channel, user=user, phone=phone)
    suppression = Suppression.objects.filter(address=address.lower()).first()
    if suppression is not None:
        raise TestSendError(
            f"{address} is on the suppression list ({suppression.get_reason_display().lower()}): "
            "nothing is sent to it, tests included."
        )
    test = TestSend.objects.create(
        campaign=campaign, sent_by=user, channel=channel, language=language, address=address
    )
    try:
        provider_id = get_channel(channel).send_test(
            invitation_of(test, name=user.name), key=f"opennps-test-{test.pk}"
        )
    except Exception as error:
        test.delete()
        log.warning("Test of campaign %s on %s failed: %s", campaign.pk, channel, mask_addresses(error))
        label = Channel(channel).label
        raise TestSendError(f"The {label} provider did not take the test: {error}") from error
    TestSend.objects.filter(pk=test.pk).update(provider_message_id=str(provider_id)[:200])
    shown = address if channel == Channel.EMAIL else f"…{address[-4:]}"
    audit.record(
        "campaign.test_send",
        obj=campaign,
        changes={"channel": channel, "language": language, "to": shown},
    )
    return test
