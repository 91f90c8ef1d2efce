"""The models of the nps app, defined in its sub-packages and imported here so they keep app label "nps"."""

from .accounts.models import TeamInvitation, User
from .api.keys import ApiKey
from .audit.models import AuditEntry
from .webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["ApiKey", "AuditEntry", "TeamInvitation", "User", "WebhookDelivery", "WebhookEndpoint"]
