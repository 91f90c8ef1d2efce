"""The on-site widget's panel on the campaign preview page (templates/channels/onsite/web_preview.html)."""

from django import template

from .. import widget

register = template.Library()


@register.simple_tag
def widget_card(invitation) -> dict:
    """What the widget's card says for this sample invitation, and the sites that show it."""
    language = invitation.language or "en"
    return {
        "texts": widget.widget_texts(invitation, language),
        "language": language,
        "dir": widget.text_direction(language),
        "scores": range(11),
        "sites": list(invitation.campaign.sites.order_by("name")),
    }
