"""The public pages a customer sees (answer, thanks, invalid link…), with their headers.

The answer page is the product's hottest page (`capture_rps` in `make bench`). It carries nothing secret
or per-request: no token (the form posts back to the page's own address), no nonce (the brand's accent
colour is one inline <style>, allowed by its hash in the Content-Security-Policy). So a page without a
comment or errors is rendered once per process for each distinct content (texts, brand, language, score)
and then served from memory. The memo is keyed on every input of the page, so it needs no invalidation:
an edited text or brand is simply another key.
"""

from functools import lru_cache

from django.http import HttpResponse
from django.utils import translation

from dashboards.metrics import GROUP_NAMES, group_of
from nps.i18n import customer_language
from surveys.models import Invitation
from surveys.public_pages import brand_parts as _brand
from surveys.public_pages import (  # noqa: F401  (re-exported: the answer-side views use them as pages.*)
    brand_style,
    csp_allowing,
    ink_for,
    public_headers,
    style_source,
)
from surveys.public_pages import render_page as _render
from surveys.public_pages import respond as _respond

from . import services
from .models import Answer

TEXT_FIELDS = ("question", *(f"followup_{group}" for group in GROUP_NAMES))


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
    wrote_with: int | None = None,
    show_note: bool = False,
    saved: bool = False,
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
        # A comment written for another score than the one chosen: "You wrote this with a 9" (shown at once
        # after a confirmed change; by the script when the customer picks another score on the page).
        "wrote_with": wrote_with,
        "show_note": show_note,
        "saved": saved,  # the score is already saved (a confirmed change): the page says so, script or not
    }
    return _render("responses/answer.html", language, brand, context)


def answer_page(
    request,
    invitation: Invitation,
    *,
    score: int | None = None,
    preview: bool = False,
    form=None,
    status=200,
    saved: bool = False,
) -> HttpResponse:
    """The answer page with `score` chosen; `preview=True` takes an unsaved invitation and posts nowhere.

    Opened from a score link (`score` given) for a first answer, the page's script records that score at
    once. When an answer exists the page shows it and records nothing by itself (a score link for another
    score shows confirm_page first); `saved` after a confirmed change.
    """
    language = customer_language(request, invitation)
    existing = None if preview or invitation.pk is None else saved_answer(invitation)
    autosave = score is not None and not preview and existing is None
    if score is None and existing is not None:
        score = existing.score
    comment, errors = (existing.comment if existing else ""), ()
    wrote_with = existing.score if comment else None
    if existing is not None and not comment and form is None:
        # The score changed since the customer wrote their comment: offer it back, saying for which score.
        revision = services.comment_to_revise(existing)
        if revision is not None:
            comment, wrote_with = revision.comment, revision.score
    show_note = wrote_with is not None and wrote_with != score
    with translation.override(language):
        texts = tuple(invitation.text(field, language) for field in TEXT_FIELDS)
        if form is not None:
            comment = form.data.get("comment", "")
            errors = tuple(str(error) for errors in form.errors.values() for error in errors)
    brand = _brand(invitation.campaign.brand)
    style = brand_style(brand[2])
    if comment or errors or preview or saved:
        body = _answer_html(
            language,
            score,
            autosave,
            texts,
            brand,
            preview=preview,
            comment=comment,
            errors=errors,
            wrote_with=wrote_with,
            show_note=show_note,
            saved=saved,
        )
    else:
        body = _blank_answer_page(language, score, autosave, texts, brand)
    if not preview:
        return _respond(body, language, style=style, status=status)
    # The preview's view changes the policy too (it is framed): let the CSP middleware combine both.
    response = _respond(body, language, style=None, status=status)
    response._csp_update = {"style-src": [style_source(style)]}
    return response


def confirm_page(request, invitation: Invitation, answer: Answer, *, score: int) -> HttpResponse:
    """A score link for another score than the saved one: the saved answer, and the choice to change it.

    Nothing is recorded until the customer presses "Change my score to 3" (a scanner never does)."""
    return public_page(
        request,
        "responses/answer_confirm.html",
        invitation=invitation,
        saved_score=answer.score,
        saved_comment=answer.comment,
        score=score,
    )


def saved_answer(invitation: Invitation) -> Answer | None:
    """The invitation's answer, joined in by the page's lookup already (no query), or None."""
    try:
        return invitation.answer
    except Answer.DoesNotExist:
        return None
