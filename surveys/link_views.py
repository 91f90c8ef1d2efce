"""Staff pages of a campaign's public link: its QR code (SVG, PNG) and a printable poster."""

import base64
import hashlib
import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from nps.accounts.roles import role_required
from nps.inputs import parse_int

from . import qr
from .invitations import supported_language
from .models import Campaign

POSTER_SIZES = ("a4", "a5")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _campaign(pk) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)


def _scale(request) -> int | None:
    """?scale= as a whole number from 1 to qr.SCALE_MAX; the default when absent; None when invalid."""
    value = request.GET.get("scale")
    if value is None:
        return qr.SCALE_DEFAULT
    return parse_int(value, low=1, high=qr.SCALE_MAX)


def _bad_scale() -> HttpResponse:
    return HttpResponseBadRequest(
        f"scale must be a whole number from 1 to {qr.SCALE_MAX} (pixels per module).",
        content_type="text/plain; charset=utf-8",
    )


def _download(body, content_type: str, campaign: Campaign, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    filename = f"{slugify(campaign.name) or 'campaign'}-qr.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # The code encodes a link that does not change: a browser may keep it for a while.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@role_required("lead")
def qr_svg(request, pk):
    """The QR code of the campaign's public link as an SVG file (?scale=1–40 units per module)."""
    scale = _scale(request)
    if scale is None:
        return _bad_scale()
    campaign = _campaign(pk)
    body = qr.svg(qr.link_url(campaign), scale=scale)
    return _download(body, "image/svg+xml; charset=utf-8", campaign, "svg")


@require_GET
@role_required("lead")
def qr_png(request, pk):
    """The QR code of the campaign's public link as a PNG image (?scale=1–40 pixels per module)."""
    scale = _scale(request)
    if scale is None:
        return _bad_scale()
    campaign = _campaign(pk)
    return _download(qr.png(qr.link_url(campaign), scale=scale), "image/png", campaign, "png")


def _poster_language(request) -> str:
    """?lang= when it is one of ours, else the workspace's default language (the campaign's texts' own)."""
    value = request.GET.get("lang", "")
    return (supported_language(value) if "\x00" not in value else "") or settings.LANGUAGE_CODE


@require_GET
@role_required("lead")
def poster(request, pk):
    """A printable A4 or A5 poster: the brand, the question, the QR code and the link (?size=a4|a5)."""
    size = request.GET.get("size", "a4")
    if size not in POSTER_SIZES:
        return HttpResponseBadRequest("size must be a4 or a5.", content_type="text/plain; charset=utf-8")
    campaign = _campaign(pk)
    language = _poster_language(request)
    url = qr.link_url(campaign)
    brand = campaign.brand
    accent = brand.accent_color if HEX_COLOUR.match(brand.accent_color or "") else "#4f46e5"
    style = f":root{{--accent:{accent.lower()}}}"
    with translation.override(language):
        context = {
            "campaign": campaign,
            "brand": brand,
            "size": size,
            "language": language,
            "question": campaign.text("question", language),
            "url": url,
            "readable_url": qr.readable(url),
            # segno writes numbers, our colours and the escaped title: safe to put in the page as it is.
            "qr": mark_safe(qr.svg(url, inline=True, scale=1, title=url)),  # noqa: S308
            "accent_style": style,
            "sizes": POSTER_SIZES,
            "languages": settings.LANGUAGES,
        }
        response = render(request, "surveys/poster.html", context)
    # The brand's colour is the page's one inline style, allowed by its hash (like the answer pages').
    response._csp_update = {"style-src": [_style_hash(style)]}
    return response


def _style_hash(style: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
