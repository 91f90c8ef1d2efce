"""Template tag of the kiosk's staff panel: {% kiosk_url campaign as url %}."""

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def kiosk_url(campaign) -> str:
    """The campaign's kiosk page (https://<host>/k/<token>/), served by responses.kiosk_views."""
    return settings.PUBLIC_BASE_URL + reverse("responses:kiosk", args=[campaign.public_token])
