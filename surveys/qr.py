"""QR codes of a campaign's public link (segno): SVG for pages and print, PNG for anything else.

The code encodes the link exactly as customers open it (PUBLIC_BASE_URL + /l/<public token>/), with error
correction level M (15 % of the code may be dirty or covered) and the standard quiet zone of 4 modules,
dark on white so that it scans on any background.
"""

import io

import segno
from django.conf import settings
from django.urls import reverse

from .models import Campaign

# ?scale= of the downloads: pixels (PNG) or user units (SVG) per module. 40 is a ~1.7k px wide PNG.
SCALE_DEFAULT = 10
SCALE_MAX = 40
DARK, LIGHT = "#000000", "#ffffff"


def link_url(campaign: Campaign) -> str:
    """The campaign's public link, as printed and encoded: https://<host>/l/<token>/."""
    return settings.PUBLIC_BASE_URL + reverse("responses:link", args=[campaign.public_token])


def readable(url: str) -> str:
    """The link as people read and type it: without the scheme."""
    return url.split("://", 1)[-1]


def code(url: str) -> segno.QRCode:
    """The QR code of `url` (error correction M; never a micro code, which few phones read)."""
    return segno.make(url, error="m", micro=False, boost_error=False)


def svg(url: str, *, scale: int = SCALE_DEFAULT, title: str = "", inline: bool = False) -> str:
    """The code as SVG: a document for a download, or an element for a page (sized by its viewBox,
    so CSS sets its size)."""
    options = {"scale": scale, "dark": DARK, "light": LIGHT, "title": title or None}
    if inline:
        return code(url).svg_inline(omitsize=True, svgclass="qr", **options)
    out = io.BytesIO()
    code(url).save(out, kind="svg", xmldecl=True, **options)
    return out.getvalue().decode()


def png(url: str, *, scale: int = SCALE_DEFAULT) -> bytes:
    """The code as a PNG image, `scale` pixels per module."""
    out = io.BytesIO()
    code(url).save(out, kind="png", scale=scale, dark=DARK, light=LIGHT)
    return out.getvalue()
