"""The public answer pages (no login, token in the URL) and the lead's phone-interview page."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from dashboards.metrics import group_of
from nps.accounts.roles import public, role_required
from nps.i18n import customer_language
from nps.inputs import NUL, is_digits, parse_id
from surveys.forms import PreviewForm
from surveys.invitations import sample_invitation
from surveys.models import Campaign, Contact, Invitation
from surveys.testsends import find_test, invitation_of, is_test_token

from . import hotpath, pages, services, throttle
from .forms import AnswerForm, PhoneAnswerForm, script_score
from .models import Answer


def _rate_limited(request) -> HttpResponse | None:
    """429 for an address that asks too much, or that tried too many unknown tokens."""
    if not throttle.over_limit(request):
        return None
    response = pages.public_page(request, "responses/rate_limited.html", status=429)
    response["Retry-After"] = "60"
    return response


def _find(request, token: str, *, by: str = "token") -> Invitation | None:
    # A POST from the page's script stores a score and shows nothing: it reads less.
    lookup = "record" if request.method == "POST" and request.POST.get("source") else "page"
    token = token[:64]
    # No token holds U+0000 (and PostgreSQL cannot compare text with it): a miss without a query.
    invitation = None if not token or NUL in token else hotpath.find_invitation(token, lookup, by=by)
    if services.answerable(invitation):
        return invitation
    throttle.count_miss(request)
    return None


def _invalid(request) -> HttpResponse:
    return pages.public_page(request, "responses/invalid.html", status=404)


# CSRF exemption: the invitation token in the URL (192 random bits) is the credential. A forged cross-site
# POST must already know it, and knowing it already allows answering. There is no session to ride on, and a
# CSRF cookie would fail in mail apps' in-app browsers that drop cookies. See docs/answer-links.md.
@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token, score=None):
    """GET (and HEAD) only show the page: opening a link never records. POST records."""
    if limited := _rate_limited(request):
        return limited
    if is_test_token(token):
        return _test_page(request, token, score)
    invitation = _find(request, token)
    if invitation is None:
        return _invalid(request)
    if request.method == "POST":
        return _post_answer(request, invitation)
    if score is not None:
        if not (is_digits(score) and int(score) <= 10):
            return _bad_score(request, invitation)
        score = int(score)
        saved = pages.saved_answer(invitation)
        if saved is not None and saved.score != score:
            # A second tap in the message: show what they said and ask before changing anything.
            return pages.confirm_page(request, invitation, saved, score=score)
    return pages.answer_page(request, invitation, score=score)


def _test_page(request, token: str, score=None) -> HttpResponse:
    """A link of a test message ("Send a test to me", surveys/testsends.py): the campaign's answer page in
    preview mode, which records nothing, whatever the method."""
    test = find_test(token)
    if test is None:
        throttle.count_miss(request)
        return _invalid(request)
    invitation = invitation_of(test)
    if score is not None and not (is_digits(score) and int(score) <= 10):
        return _bad_score(request, invitation)
    return pages.answer_page(request, invitation, score=None if score is None else int(score), preview=True)


def _bad_score(request, invitation) -> HttpResponse:
    """A score link whose number is not 0–10 (copied wrong): a page that opens the survey instead."""
    return pages.public_page(
        request,
        "responses/bad_score.html",
        invitation=invitation,
        status=400,
        answer_url=invitation.answer_path(),
    )


def _post_answer(request, invitation: Invitation) -> HttpResponse:
    language = customer_language(request, invitation)
    # The confirm page's buttons: "Change my score to 3" or "Keep 9" (score links for a saved answer).
    if "confirm" in request.POST:
        return _confirm(request, invitation, language)
    # answer.js sends the score alone with source=link (automatic, right after a score link was opened)
    # or source=page (the customer changed the score); the Send button posts the whole form without it.
    if source := request.POST.get("source"):
        try:
            score = script_score(request.POST)
        except ValidationError as error:
            with translation.override(language):
                message = str(error.messages[0])
            return pages.public_headers(JsonResponse({"error": message}, status=400), language)
        services.record_score(
            invitation,
            score=score,
            language=language,
            source="link" if source == "link" else "page",
            automatic=source == "link",
        )
        return pages.public_headers(JsonResponse({"saved": True, "group": group_of(score)}), language)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return pages.answer_page(request, invitation, form=form, status=400)
    answer = services.submit_answer(
        invitation, score=form.cleaned_data["score"], comment=form.cleaned_data["comment"], language=language
    )
    target = getattr(invitation.campaign, f"redirect_{answer.group}")
    return redirect(target or reverse("responses:thanks", args=[invitation.token]))


def _confirm(request, invitation: Invitation, language: str) -> HttpResponse:
    choice = request.POST.get("confirm")
    try:
        score = script_score(request.POST)
    except ValidationError:
        score = None
    if score is None or choice not in ("change", "keep"):
        return pages.public_page(
            request,
            "responses/bad_score.html",
            invitation=invitation,
            status=400,
            answer_url=invitation.answer_path(),
        )
    if choice == "keep":
        if pages.saved_answer(invitation) is None:  # nothing to keep: the plain page, nothing recorded
            return pages.answer_page(request, invitation, score=score)
        return redirect(reverse("responses:thanks", args=[invitation.token]))
    services.record_score(invitation, score=score, language=language, source="link")
    return pages.answer_page(request, invitation, saved=True)


# A texted survey's link, https://<host>/s?<short_token>: short, because every SMS segment costs money, and
# shaped so that India's DLT can whitelist its fixed prefix (up to the "?"). It shows the same page as the
# email's link rather than redirecting to it: one round trip less on a slow phone. The page's form posts
# back here; CSRF exemption as for `answer` (the token is the credential).
@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def short_link(request):
    if limited := _rate_limited(request):
        return limited
    # The whole query string is the token; anything an app appends after a "&" is not.
    token = request.META.get("QUERY_STRING", "").split("&", 1)[0]
    if is_test_token(token):
        return _test_page(request, token)
    invitation = _find(request, token, by="short_token")
    if invitation is None:
        return _invalid(request)
    if request.method == "POST":
        return _post_answer(request, invitation)
    return pages.answer_page(request, invitation)


@public
@require_GET
def thanks(request, token):
    if limited := _rate_limited(request):
        return limited
    invitation = _find(request, token)
    if invitation is None:
        return _invalid(request)
    # Set per survey request through the APIs (Delighted's thank_you_message and thank_you_link_url).
    link = invitation.texts.get("thank_you_link_url", "")
    return pages.public_page(
        request,
        "responses/thanks.html",
        invitation=invitation,
        answer_url=invitation.answer_path(),
        thank_you_message=invitation.texts.get("thank_you_message", ""),
        thank_you_link=link if link.startswith(("https://", "http://")) else "",
    )


def _preselected_contact(request) -> tuple[Contact | None, str, int]:
    """The contact of `?contact=<id>` (the contact page's link): (contact, problem, status).

    A value that is no id answers 400, an id of no contact 404 (erased, say); both with the page, so that
    the lead can still type the address.
    """
    raw = request.GET.get("contact")
    if raw is None:
        return None, "", 200
    pk = parse_id(raw)
    if pk is None:
        return None, "The link names no contact: “contact” must be a contact's number.", 400
    contact = Contact.objects.filter(pk=pk).first()
    if contact is None:
        return (
            None,
            f"No contact has the number {pk}: they may have been erased. Type their email or phone.",
            404,
        )
    return contact, "", 200


@role_required("lead")
def phone_answer(request):
    """A lead records an answer given in a phone interview, on the contact's behalf."""
    contact, problem, status = _preselected_contact(request)
    form = PhoneAnswerForm(None if problem else request.POST or None, contact=contact)
    if request.method == "POST" and form.is_valid():
        answer = services.record_phone_answer(by=request.user, **form.cleaned_data)
        messages.success(request, f"Score {answer.score} recorded for {answer.contact} ({answer.campaign}).")
        # From the contact page, back to it: their answers list shows the new one.
        return redirect(contact) if contact else redirect("responses:phone_answer")
    recent = Answer.objects.filter(channel="phone").select_related("contact", "campaign", "recorded_by")[:10]
    if request.method == "POST" and not problem:
        status = 400
    context = {"form": form, "recent": recent, "contact": contact, "problem": problem}
    return render(request, "responses/phone_answer.html", context, status=status)


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@role_required("lead")
def campaign_preview_answer(request, pk):
    """The answer page of a campaign as a customer sees it after tapping 9 (the campaign preview's frame)."""
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    invitation = sample_invitation(campaign, PreviewForm(request.GET).language())
    return pages.answer_page(request, invitation, score=9, preview=True)
