"""The channels that send nothing: the customer comes to the survey (the on-site widget, the public link,
the kiosk). They satisfy the SurveyChannel interface so that campaigns, previews and answers treat them like
any channel; queueing skips them, since no contact has an address on them.
"""

from typing import Any

from ..models import Channel, Contact, Invitation
from . import Preview


class OnSiteChannel:
    """A channel where the customer opens the survey: nothing to send, no provider, no webhooks."""

    address_name = "no address (customers come to the survey)"
    sends = False

    def __init__(self, value: str, *, preview_template: str):
        self.value = str(value)
        self.preview_template = preview_template

    def __repr__(self):
        return f"<OnSiteChannel {self.value}>"

    def address_of(self, contact: Contact) -> str:
        return ""  # never queued: delivery skips contacts without an address

    def address_expression(self, contact_path: str) -> None:
        return None

    def is_configured(self) -> bool:
        return True

    def deliverable_at(self, contact: Contact, moment: Any) -> Any:
        return moment

    def send(self, invitation: Invitation, *, reminder: bool = False) -> str:
        raise LookupError(f"The {self.value} channel sends nothing: customers open the survey themselves.")

    def send_test(self, invitation: Invitation, *, key: str) -> str:
        raise LookupError(f"The {self.value} channel sends nothing: open its preview instead.")

    def find_sent(self, invitation: Invitation, *, reminder: bool = False) -> str | None:
        return None

    def is_permanent(self, error: Exception) -> bool:
        return True

    def preview(self, invitation: Invitation) -> Preview:
        """The staff preview panel of this channel (its template gets the campaign through `preview`)."""
        return Preview(self.preview_template, invitation, frame="")

    def read_event(self, raw: Any, *, provider: str = ""):
        return None

    def webhook_urls(self) -> list:
        return []


web = OnSiteChannel(Channel.WEB, preview_template="channels/onsite/web_preview.html")
link = OnSiteChannel(Channel.LINK, preview_template="channels/onsite/link_preview.html")
kiosk = OnSiteChannel(Channel.KIOSK, preview_template="channels/onsite/kiosk_preview.html")
