"""The small public pages a customer sees, branded: the company's name, logo and accent colour, in their
language, never cached or indexed. The answer pages (responses/pages.py) and the unsubscribe pages
(surveys/views.py) both use them, so this lives in the lower layer.
"""

import base64
import hashlib
import re
from functools import lru_cache

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .models import Brand

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#4f46e5"


def ink_for(accent: str) -> str:
    """Black or white text on the accent colour, whichever has the better contrast (WCAG luminance)."""
    channels = [int(accent[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


@lru_cache(maxsize=256)
def brand_style(accent_color: str) -> str:
    """The page's one inline style: the brand's accent colour and a readable ink on it."""
    accent = (accent_color if HEX_COLOUR.match(accent_color or "") else DEFAULT_ACCENT).lower()
    return f":root{{--accent:{accent};--accent-ink:{ink_for(accent)}}}"


def style_source(style: str) -> str:
    """The CSP source that allows exactly this inline style: its hash (CSP level 2)."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"


@lru_cache(maxsize=256)
def csp_allowing(style: str) -> str:
    """The site's Content-Security-Policy, plus this one inline style if any."""
    return build_policy(update={"style-src": [style_source(style)]} if style else None)


def brand_parts(brand: Brand) -> tuple[str, str, str]:
    return brand.company_name, brand.logo.url if brand.logo else "", brand.accent_color or ""


def public_headers(response: HttpResponse, language: str, *, style: str | None = "") -> HttpResponse:
    """The headers of every public page, whatever its body (HTML, JSON): per customer (token in the URL),
    never cached or indexed.

    The Content-Security-Policy comes from a per-process memo (allowing `style`), or from the CSP
    middleware when `style` is None.
    """
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Language"] = language
    if style is not None:
        response[CSP_HEADER] = csp_allowing(style)
    return response


def render_page(template: str, language: str, brand: tuple[str, str, str] | None, context: dict) -> str:
    """`template` (extending responses/public.html) in `language`, with the brand's name, logo and colour."""
    if brand is not None:
        company_name, logo_url, accent_color = brand
        context = {
            "company_name": company_name,
            "logo_url": logo_url,
            "brand_style": brand_style(accent_color),
            **context,
        }
    with translation.override(language):
        return render_to_string(template, context)


def respond(body: str | bytes, language: str, *, style: str | None = "", status: int = 200) -> HttpResponse:
    return public_headers(HttpResponse(body, status=status), language, style=style)


def branded_page(
    template: str, language: str, brand: Brand | None, *, status: int = 200, **context
) -> HttpResponse:
    """A small public page in `language`, branded when the brand is known."""
    parts = brand_parts(brand) if brand is not None else None
    body = render_page(template, language, parts, context)
    return respond(body, language, style=brand_style(parts[2]) if parts else "", status=status)
