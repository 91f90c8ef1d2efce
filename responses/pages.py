"""The public pages a customer sees (answer, thanks, invalid link…), with their headers.

The answer page is the product's hottest page (`capture_rps` in `make bench`). It carries nothing secret
or per-request: no token (the form posts back to the page's own address), no nonce (the brand's accent
colour is one inline <style>, allowed by its hash in the Content-Security-Policy). So a page without a
comment or errors is rendered once per process for each distinct content (texts, brand, language, score)
and then served from memory. The memo is keyed on every input of the page, so it needs no invalidation:
an edited text or brand is simply another key.
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

from dashboards.metrics import GROUP_NAMES, group_of
from nps.i18n import customer_language
from surveys.models import Brand, Invitation

from .models import Answer

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_ACCENT = "#4f46e5"
TEXT_FIELDS = ("question", *(f"followup_{group}" for group in GROUP_NAMES))


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


def _brand(brand: Brand) -> tuple[str, str, str]:
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


def _respond(body: str | bytes, language: str, *, style: str | None = "", status: int = 200) -> HttpResponse:
    return public_headers(HttpResponse(body, status=status), language, style=style)


def _render(template: str, language: str, brand: tuple[str, str, str] | None, context: dict) -> str:
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


def public_page(
    request, template: str, *, invitation: Invitation | None = None, status: int = 200, **context
) -> HttpResponse:
    """A small public page in the customer's language, branded when the invitation is known."""
    if invitation is None:
        language = translation.get_language_from_request(request)
        return _respond(_render(template, language, None, context), language, status=status)
    language = customer_language(request, invitation)
    brand = _brand(invitation.campaign.brand)
    body = _render(template, language, brand, context)
    return _respond(body, language, style=brand_style(brand[2]), status=status)


@lru_cache(maxsize=1024)
def _blank_answer_page(
    language: str, score: int | None, autosave: bool, texts: tuple[str, ...], brand: tuple[str, str, str]
) -> bytes:
    return _answer_html(language, score, autosave, texts, brand).encode()


def _answer_html(
    language: str,
    score: int | None,
    autosave: bool,
    texts: tuple[str, ...],
    brand: tuple[str, str, str],
    *,
    preview: bool = False,
    comment: str = "",
    errors: tuple[str, ...] = (),
) -> str:
    question, *followup_texts = texts
    followups = dict(zip(GROUP_NAMES, followup_texts, strict=True))
    context = {
        "preview": preview,
        "question": question,
        "followups": followups,
        "followup": followups[group_of(score)] if score is not None else "",
        "score": score,
        "scores": [str(n) for n in range(11)],
        "chosen": "" if score is None else str(score),
        "comment": comment,
        "errors": errors,
        "autosave": autosave,
    }
    return _render("responses/answer.html", language, brand, context)


def answer_page(
    request, invitation: Invitation, *, score: int | None = None, preview: bool = False, form=None, status=200
) -> HttpResponse:
    """The answer page with `score` chosen; `preview=True` takes an unsaved invitation and posts nowhere.

    Opened from a score link (`score` given), the page's script records that score at once.
    """
    language = customer_language(request, invitation)
    existing = None if preview or invitation.pk is None else _answer_of(invitation)
    autosave = score is not None and not preview
    if score is None and existing is not None:
        score = existing.score
    comment, errors = (existing.comment if existing else ""), ()
    with translation.override(language):
        texts = tuple(invitation.text(field, language) for field in TEXT_FIELDS)
        if form is not None:
            comment = form.data.get("comment", "")
            errors = tuple(str(error) for errors in form.errors.values() for error in errors)
    brand = _brand(invitation.campaign.brand)
    style = brand_style(brand[2])
    if comment or errors or preview:
        body = _answer_html(
            language, score, autosave, texts, brand, preview=preview, comment=comment, errors=errors
        )
    else:
        body = _blank_answer_page(language, score, autosave, texts, brand)
    if not preview:
        return _respond(body, language, style=style, status=status)
    # The preview's view changes the policy too (it is framed): let the CSP middleware combine both.
    response = _respond(body, language, style=None, status=status)
    response._csp_update = {"style-src": [style_source(style)]}
    return response


def _answer_of(invitation: Invitation):
    """The invitation's answer, joined in by the page's lookup already (no query), or None."""
    try:
        return invitation.answer
    except Answer.DoesNotExist:
        return None
