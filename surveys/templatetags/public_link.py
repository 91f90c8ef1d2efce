"""Template tags of the public link's staff panels: {% public_link_url campaign as url %}, {% qr_svg url %}."""

from django import template
from django.utils.safestring import mark_safe

from surveys import qr

register = template.Library()


@register.simple_tag
def public_link_url(campaign) -> str:
    """The campaign's public link (https://<host>/l/<token>/)."""
    return qr.link_url(campaign)


@register.simple_tag
def qr_svg(url: str, title: str = "") -> str:
    """The QR code of `url` as an inline <svg> element, sized by CSS (segno writes only numbers and our
    own colours into it; the title is escaped by segno)."""
    return mark_safe(qr.svg(url, inline=True, scale=1, title=title))  # noqa: S308
