from urllib.parse import urlencode

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dashboards.metrics import group_of
from nps import audit, ratelimit
from nps.accounts.roles import has_role, public, role_required
from nps.cache import counters
from nps.i18n import customer_language
from nps.inputs import NUL, parse_id, parse_int

from . import (
    channels,
    contact_import,
    contacts,
    delivery,
    forms,
    import_files,
    invitations,
    privacy,
    public_pages,
    services,
    site_views,
    testsends,
)
from .channels.texting import preview as text_preview
from .import_flow import ImportFlow
from .models import Audience, Brand, Campaign, Channel, Contact, ContactImport, Invitation, Suppression

# Brands


@role_required("admin")
def brand_list(request):
    return render(request, "surveys/brand_list.html", {"brands": Brand.objects.all()})


@role_required("admin")
def brand_edit(request, pk=None):
    brand = get_object_or_404(Brand, pk=pk) if pk else Brand()
    form = forms.BrandForm(request.POST or None, request.FILES or None, instance=brand)
    if request.method == "POST" and form.is_valid():
        changes = audit.changes_of(form)
        brand = form.save()
        audit.record("brand.update" if pk else "brand.create", obj=brand, changes=changes)
        messages.success(request, f"The brand {brand.name} is saved.")
        return redirect("surveys:brand_list")
    status = 400 if form.errors else 200
    return render(request, "surveys/brand_form.html", {"form": form, "brand": brand}, status=status)


@require_POST
@role_required("admin")
def brand_delete(request, pk):
    brand = get_object_or_404(Brand, pk=pk)
    try:
        services.delete_brand(brand)
    except services.CampaignError as error:
        messages.error(request, str(error))
        return render(request, "surveys/brand_list.html", {"brands": Brand.objects.all()}, status=400)
    messages.success(request, f"The brand {brand.name} is deleted.")
    return redirect("surveys:brand_list")


# Campaigns


@role_required("lead")
def campaign_list(request):
    show_archived = request.GET.get("archived") == "1"
    campaigns = Campaign.objects.all() if show_archived else Campaign.objects.active()
    campaigns = list(services.with_figures(campaigns.select_related("brand")))
    rows = [(campaign, services.figures(campaign)) for campaign in campaigns]
    context = {
        "rows": rows,
        "show_archived": show_archived,
        "archived_count": Campaign.objects.filter(status=Campaign.Status.ARCHIVED).count(),
        "has_brand": Brand.objects.exists(),
    }
    return render(request, "surveys/campaign_list.html", context)


def _detail(request, campaign, *, audience_form=None, test_form=None, status=200):
    campaign = services.with_figures(Campaign.objects.select_related("brand")).get(pk=campaign.pk)
    languages = services.campaign_languages(campaign)
    context = {
        "campaign": campaign,
        "figures": services.figures(campaign),
        "audience_form": audience_form or forms.AudienceFilterForm.from_filter(campaign.audience_filter),
        "property_names": contacts.property_names(),
        "languages": languages,
        "texts": {field: campaign.text(field) for field in forms.TRANSLATED_FIELDS},
        "texting": text_preview.campaign_summary(campaign),
        "share": site_views.share_context(campaign),
        "filter_rows": [
            (key, value if isinstance(value, list) else [value])
            for key, value in campaign.audience_filter.items()
        ],
        "dashboard_url": reverse("dashboards:home") + f"?campaign={campaign.pk}",
        "test_form": test_form or _test_form(campaign, languages=languages),
    }
    return render(request, "surveys/campaign_detail.html", context, status=status)


@role_required("lead")
def campaign_detail(request, pk):
    return _detail(request, get_object_or_404(Campaign, pk=pk))


# Typing fires a counter request a few times a second: plenty for one person, a bound for a script.
TEXT_COUNTER_RATE = "120/m"


@require_POST
@role_required("admin")
def campaign_text_counter(request):
    """The campaign editor's counter of one language's text as typed (htmx posts the whole form)."""
    limit, seconds = ratelimit.parse_rate(TEXT_COUNTER_RATE)
    key = ratelimit.window_key("text-counter", str(request.user.pk), seconds)
    if counters(caches["default"], [], [(key, seconds)])[0] > limit:
        return HttpResponse("Too many counts: wait a minute.", status=429, content_type="text/plain")
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponse("Unknown language.", status=400, content_type="text/plain")
    campaign = Campaign.objects.filter(pk=parse_id(request.POST.get("campaign"))).first() or Campaign()
    form = forms.CampaignForm(request.POST, instance=campaign)
    row = form.texting_row(language)
    return render(request, "surveys/_text_counter_update.html", {"row": row, "counter": row["counter"]})


@role_required("admin")
def campaign_edit(request, pk=None):
    campaign = get_object_or_404(Campaign, pk=pk) if pk else Campaign()
    if campaign.status == Campaign.Status.ARCHIVED:
        messages.error(request, "An archived campaign cannot be edited.")
        return _detail(request, campaign, status=400)
    if not pk and not Brand.objects.exists():
        messages.info(request, "A campaign is sent in the name of a brand: create your first brand.")
        return redirect("surveys:brand_create")
    form = forms.CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        changes = audit.changes_of(form)
        campaign = services.save_campaign(form.save(commit=False))
        audit.record("campaign.update" if pk else "campaign.create", obj=campaign, changes=changes)
        messages.success(request, f"The campaign {campaign.name} is saved.")
        return redirect(campaign)
    status = 400 if form.errors else 200
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


def _lifecycle(action, done):
    @require_POST
    @role_required("admin")
    def view(request, pk):
        campaign = get_object_or_404(Campaign, pk=pk)
        try:
            result = action(campaign)
        except services.CampaignError as error:
            messages.error(request, str(error))
            return _detail(request, campaign, status=400)
        campaign.refresh_from_db()
        messages.success(request, done(campaign, result))
        return redirect(campaign)

    view.__name__ = f"campaign_{action.__name__.removesuffix('_campaign')}"
    return view


def _launched(campaign, queued):
    if campaign.status == Campaign.Status.SCHEDULED:
        when = date_format(timezone.localtime(campaign.send_at), "j M Y, H:i")
        return f"{campaign.name} is scheduled for {when}."
    return f"{campaign.name} is running: {queued} invitation{'s' if queued != 1 else ''} queued."


_launch = _lifecycle(services.launch_campaign, _launched)


@require_http_methods(["GET", "POST"])
@role_required("admin")
def campaign_launch(request, pk):
    """GET: what launching would do (who gets a survey on each channel, when the first messages go), with
    the button that launches; POST: launch (the campaign page's button only leads here)."""
    if request.method == "POST":
        return _launch(request, pk)
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    if campaign.status != Campaign.Status.DRAFT:
        messages.info(
            request, f"{campaign.name} is {campaign.get_status_display().lower()}: only a draft is launched."
        )
        return redirect(campaign)
    return _launch_page(request, campaign)


def _launch_page(request, campaign, *, test_form=None, status=200):
    context = {
        "campaign": campaign,
        "preview": delivery.launch_preview(campaign),
        "onsite_labels": [
            Channel(value).label
            for value in campaign.channels
            if value in channels.CHANNELS and not channels.CHANNELS[value].sends
        ],
        "workspace_zone": settings.TIME_ZONE,
        "send_time_passed": campaign.schedule == Campaign.Schedule.AT
        and (campaign.send_at is None or campaign.send_at <= timezone.now()),
        "test_form": test_form or _test_form(campaign, back="launch"),
    }
    return render(request, "surveys/campaign_launch.html", context, status=status)


# Send a test to me (surveys/testsends.py)


def _test_form(campaign, data=None, *, languages=None, back="detail"):
    """The "Send a test to me" form: the campaign's languages first, then every other one."""
    languages = languages if languages is not None else services.campaign_languages(campaign)
    ours = [(language.code, language.name) for language in languages]
    codes = {code for code, _name in ours}
    choices = ours + [(code, name) for code, name in settings.LANGUAGES if code not in codes]
    initial = {"language": ours[0][0] if ours else settings.LANGUAGE_CODE}
    return forms.TestSendForm(
        data,
        campaign=campaign,
        channels=testsends.sendable_channels(campaign),
        languages=choices,
        initial=initial,
        back=back,
    )


@require_POST
@role_required("lead")
def campaign_test_send(request, pk):
    """Send the campaign's message to the signed-in user (email) or a number they type (texts)."""
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    on_launch = request.POST.get("back") == "launch" and campaign.status == Campaign.Status.DRAFT
    form = _test_form(campaign, request.POST, back="launch" if on_launch else "detail")

    def page(status):
        if on_launch and has_role(request.user, "admin"):
            return _launch_page(request, campaign, test_form=form, status=status)
        return _detail(request, campaign, test_form=form, status=status)

    limit, seconds = ratelimit.parse_rate(testsends.TEST_SEND_RATE)
    if wait := ratelimit.hit_rate("test-send", str(request.user.pk), limit, seconds):
        form.is_valid()
        form.add_error(
            None, f"You sent {limit} tests in the last hour: try again in {-(-wait // 60)} minutes."
        )
        response = page(429)
        response["Retry-After"] = str(wait)
        return response
    if not form.is_valid():
        return page(400)
    data = form.cleaned_data
    try:
        test = testsends.send_test(
            campaign,
            user=request.user,
            channel=data["channel"],
            language=data["language"],
            phone=data["phone"],
        )
    except testsends.TestSendError as error:
        form.add_error(None, str(error))
        return page(400)
    language = dict(settings.LANGUAGES)[test.language]
    messages.success(
        request,
        f"A test of {campaign.name} ({Channel(test.channel).label}, {language}) went to {test.address}. "
        "Its links open the answer page in preview mode: nothing is recorded.",
    )
    if on_launch:
        return redirect("surveys:campaign_launch", campaign.pk)
    return redirect(campaign)


campaign_pause = _lifecycle(
    services.pause_campaign, lambda c, _: f"{c.name} is paused: nothing more is sent."
)
campaign_resume = _lifecycle(
    services.resume_campaign, lambda c, _: f"{c.name} is {c.get_status_display().lower()}."
)
campaign_archive = _lifecycle(services.archive_campaign, lambda c, _: f"{c.name} is archived.")


@require_POST
@role_required("admin")
def campaign_audience(request, pk):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = forms.AudienceFilterForm(request.POST)
    if not form.is_valid():
        return _detail(request, campaign, audience_form=form, status=400)
    try:
        added = services.add_audience_by_filter(campaign, form.cleaned_data["filter"])
    except services.CampaignError as error:
        messages.error(request, str(error))
        return _detail(request, campaign, audience_form=form, status=400)
    noun = "contact" if added == 1 else "contacts"
    messages.success(
        request, f"{added} {noun} added to the audience." if added else "No new contact matched."
    )
    return redirect(campaign)


# The audience builder's live parts (htmx): the matching count, a condition's values. Typing fires a request
# a few times a second: plenty for one person, a bound for a script.
AUDIENCE_BUILDER_RATE = "120/m"


def _builder_limited(request) -> HttpResponse | None:
    limit, seconds = ratelimit.parse_rate(AUDIENCE_BUILDER_RATE)
    if ratelimit.hit_rate("audience-builder", str(request.user.pk), limit, seconds):
        return HttpResponse("Too many counts: wait a minute.", status=429, content_type="text/plain")
    return None


@require_http_methods(["GET"])
@role_required("admin")
def campaign_audience_count(request, pk):
    """How many contacts the filter being built matches, and how many of them are new to the audience."""
    if limited := _builder_limited(request):
        return limited
    campaign = get_object_or_404(Campaign, pk=pk)
    form = forms.AudienceFilterForm(request.GET, complete=False)
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return render(request, "surveys/_audience_count.html", {"errors": errors}, status=400)
    audience_filter = form.cleaned_data["filter"]
    context = {"filter": audience_filter}
    if audience_filter:
        matching = Contact.objects.matching(audience_filter)
        context["matching"] = matching.count()
        context["members"] = (
            matching.filter(memberships__campaign=campaign).count() if context["matching"] else 0
        )
        context["new"] = context["matching"] - context["members"]
    return render(request, "surveys/_audience_count.html", context)


@require_http_methods(["GET"])
@role_required("admin")
def campaign_audience_values(request, pk):
    """One condition's values to tick: the chosen property's most common values (and those ticked)."""
    if limited := _builder_limited(request):
        return limited
    get_object_or_404(Campaign, pk=pk)
    row = parse_int(request.GET.get("row", ""), low=1, high=forms.AudienceFilterForm.ROWS)
    if row is None:
        return HttpResponse(
            f"row must be a condition's number, 1 to {forms.AudienceFilterForm.ROWS}.",
            status=400,
            content_type="text/plain",
        )
    form = forms.AudienceFilterForm(request.GET, complete=False)
    form.is_valid()
    if form.errors.get(f"property_{row}"):
        return HttpResponse(" ".join(form.errors[f"property_{row}"]), status=400, content_type="text/plain")
    response = render(request, "surveys/_audience_values.html", {"row": form.rows()[row - 1]})
    response["HX-Trigger"] = "audience-changed"  # the count follows the new values
    return response


MEMBERS_PER_PAGE = 50


@require_http_methods(["GET"])
@role_required("lead")
def campaign_members(request, pk):
    """The campaign's audience, newest members first, with a search: who they are, the language they get,
    when this campaign last surveyed them and whether they answered it."""
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    query = request.GET.get("q", "")
    context = {"campaign": campaign, "query": query.replace(NUL, "")}
    if NUL in query or len(query) > 200:
        context["query_error"] = "A search holds at most 200 characters and no NUL character."
        context["page"] = Paginator(Audience.objects.none(), MEMBERS_PER_PAGE).get_page(1)
        return render(request, "surveys/campaign_members.html", context, status=400)
    members = Audience.objects.filter(campaign=campaign).select_related("contact").order_by("-pk")
    if query.strip():
        members = members.filter(contact__in=Contact.objects.search(query))
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    ids = [member.contact_id for member in page.object_list]
    sent = dict(
        Invitation.objects.filter(campaign=campaign, contact_id__in=ids, sent_at__isnull=False)
        .values("contact_id")
        .annotate(last=Max("sent_at"))
        .values_list("contact_id", "last")
    )
    # Their answers to this campaign through the reverse relation (surveys imports nothing of responses).
    answered = {}
    rows = Contact.objects.filter(pk__in=ids, answers__campaign=campaign).values_list(
        "pk", "answers__score", "answers__answered_at"
    )
    for contact_id, score, when in sorted(rows, key=lambda row: row[2]):
        answered[contact_id] = (score, when)
    names = dict(settings.LANGUAGES)
    for member in page.object_list:
        code = invitations.supported_language(member.contact.language) or settings.LANGUAGE_CODE
        member.language_code, member.language_name = code, names.get(code, code)
        member.last_sent = sent.get(member.contact_id)
        member.answer = answered.get(member.contact_id)
        member.group = group_of(member.answer[0]) if member.answer else ""
    context |= {"page": page, "query_string": urlencode({"q": query}) if query else ""}
    return render(request, "surveys/campaign_members.html", context)


# Previews: each channel's exact message and the answer page, each in a sandboxed iframe served by this
# site only.


def _previewed_channels(campaign) -> list[str]:
    """The campaign's channels that can send, else (none chosen yet) every channel that can."""
    return [value for value in campaign.channels if value in channels.CHANNELS] or list(channels.CHANNELS)


@role_required("lead")
def campaign_preview(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    form = forms.PreviewForm(request.GET or None)
    language = form.language()
    sample = invitations.sample_invitation(campaign, language)
    previews = []
    for value in _previewed_channels(campaign):
        frame = reverse("surveys:campaign_preview_channel", args=[campaign.pk, value])
        previews.append(
            {
                "value": value,
                "label": Channel(value).label,
                "preview": channels.get_channel(value).preview(sample),
                "frame_url": f"{frame}?lang={language}",
            }
        )
    context = {"campaign": campaign, "form": form, "language": language, "channels": previews}
    return render(request, "surveys/campaign_preview.html", context)


@xframe_options_sameorigin
@csp_replace(
    {
        "frame-ancestors": ["'self'"],
        # A message's inline styles, its logo and nothing that runs.
        "style-src": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "script-src": ["'none'"],
        "form-action": ["'none'"],
    }
)
@role_required("lead")
def campaign_preview_channel(request, pk, channel):
    """The body of one channel's preview frame (the email's HTML part)."""
    try:
        found = channels.get_channel(channel)
    except LookupError:
        raise Http404("No such channel.") from None
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    preview = found.preview(
        invitations.sample_invitation(campaign, forms.PreviewForm(request.GET).language())
    )
    return HttpResponse(preview.frame, content_type=preview.frame_type)


# Unsubscribe (public: the token authenticates)


# csrf_exempt: mailbox providers send the RFC 8058 one-click POST without a CSRF token; a GET never
# unsubscribes, because link scanners fetch every link of an email.
@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    invitations = Invitation.objects.select_related("campaign__brand", "contact")
    # No token holds U+0000, which PostgreSQL cannot compare: not found, without a query.
    invitation = None if NUL in token else invitations.filter(token=token).first()
    if invitation is None:
        # In the browser's language: the link does not say whose it was.
        language = translation.get_language_from_request(request)
        return public_pages.branded_page("surveys/unsubscribe_invalid.html", language, None, status=404)
    # The customer's page, in their language and the company's colours (not the staff layout).
    address = channels.address_of(invitation.contact, invitation.channel)
    brand = invitation.campaign.brand
    language = customer_language(request, invitation)
    context = {"company": brand.company_name, "address": address}
    if request.method == "POST":
        contacts.unsubscribe(address, campaign=invitation.campaign)
        return public_pages.branded_page("surveys/unsubscribe_done.html", language, brand, **context)
    context["already"] = contacts.is_suppressed(address)
    return public_pages.branded_page("surveys/unsubscribe.html", language, brand, **context)


# Contacts


@role_required("lead")
def contact_list(request):
    """Newest first, with their last score and at-risk flag; filters by search, property, group, at risk."""
    form = forms.ContactFilterForm(request.GET)
    property_names = contacts.property_names()
    if not form.is_valid():
        # Shown again without the NUL characters that PostgreSQL (and the page) cannot hold.
        form.data = {key: value.replace(NUL, "") for key, value in request.GET.items()}
        page = Paginator(Contact.objects.none(), 50).get_page(1)
        context = {"page": page, "form": form, "property_names": property_names, "filtering": True}
        return render(request, "surveys/contact_list.html", context, status=400)
    active = form.active()
    # Newest first by id: served by the primary key index, unlike created_at, at a million contacts.
    matches = form.apply(Contact.objects.all()).order_by("-pk")
    page = Paginator(matches, 50).get_page(request.GET.get("page"))
    for contact in page.object_list:
        contact.last_group = group_of(contact.last_score) if contact.last_score is not None else ""
    context = {
        "page": page,
        "form": form,
        "property_names": property_names,
        "filtering": bool(active),
        "filter_count": len(active) - (1 if "q" in active else 0),
        "query": form.cleaned_data["q"],
        "query_string": urlencode(active),
    }
    return render(request, "surveys/contact_list.html", context)


@role_required("lead")
def contact_create(request):
    """Add one contact by hand (a customer who called in); the same checks as the import and the edit form."""
    form = forms.ContactForm(request.POST or None, initial={"properties": {}})
    if request.method == "POST":
        if form.is_valid():
            contact = form.save()
            # Which fields were given, not their values: the log must not keep what erasing a person removes.
            changes = audit.changes_of(form, hide=form.changed_data)
            audit.record("contact.create", obj=contact, label=f"Contact {contact.pk}", changes=changes)
            messages.success(request, f"{contact} was added.")
            return redirect(contact)
        return render(request, "surveys/contact_form.html", {"form": form}, status=400)
    return render(request, "surveys/contact_form.html", {"form": form})


@role_required("lead")
def suppression_list(request):
    """Addresses and numbers never surveyed again, with why and through which channel."""
    query = request.GET.get("q", "").strip()
    if NUL in query:
        page = Paginator(Suppression.objects.none(), 50).get_page(1)
        context = {
            "page": page,
            "query": query.replace(NUL, ""),
            "query_error": "A search cannot hold a NUL character.",
        }
        return render(request, "surveys/suppression_list.html", context, status=400)
    suppressions = Suppression.objects.order_by("-created_at", "-pk")
    if query:
        suppressions = suppressions.filter(address__icontains=query)
    page = Paginator(suppressions, 50).get_page(request.GET.get("page"))
    # The contacts of this page's addresses, in one query (the list matches addresses, not contacts).
    addresses = [suppression.address for suppression in page.object_list]
    found = Contact.objects.filter(Q(email__in=addresses) | Q(phone__in=addresses))
    by_address = {
        address: contact
        for contact in found
        for address in (contact.email, str(contact.phone or ""))
        if address
    }
    for suppression in page.object_list:
        suppression.contact = by_address.get(suppression.address)
    return render(request, "surveys/suppression_list.html", {"page": page, "query": query})


@role_required("lead")
def contact_detail(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    invitations = contact.invitations.select_related("campaign").order_by("-created_at")[:50]
    answers = contact.answers.select_related("campaign").order_by("-answered_at")[:50]
    memberships = contact.memberships.select_related("campaign").order_by("-added_at")
    # Every text sent to or received from them (TextMessage.contact), newest first: the last 50 and a count.
    texts = contact.text_messages.order_by("-created_at", "-pk")
    # Their follow-up cases (responses.Case.contact): read through the relation, surveys imports no responses.
    cases = contact.cases.select_related("owner", "campaign").order_by("-opened_at")[:20]
    context = {
        "contact": contact,
        "last_group": group_of(contact.last_score) if contact.last_score is not None else "",
        "cases": cases,
        "invitations": invitations,
        "answers": answers,
        "memberships": memberships,
        "texts": texts[:50],
        "text_count": texts.count(),
    }
    return render(request, "surveys/contact_detail.html", context)


@role_required("admin")
def contact_edit(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    form = forms.ContactForm(request.POST or None, instance=contact)
    if request.method == "POST":
        if form.is_valid():
            # Which fields changed, not their values: the log must not keep what erasing a person removes.
            changes = audit.changes_of(form, hide=form.changed_data)
            form.save()
            audit.record("contact.update", obj=contact, label=f"Contact {contact.pk}", changes=changes)
            messages.success(request, f"{contact} was saved.")
            return redirect(contact)
        return render(request, "surveys/contact_form.html", {"form": form, "contact": contact}, status=400)
    return render(request, "surveys/contact_form.html", {"form": form, "contact": contact})


@role_required("admin")
def contact_delete(request, pk):
    """Delete = erase: personal data goes for good, answers stay anonymised (contacts.erase_contact)."""
    contact = get_object_or_404(Contact, pk=pk)
    if request.method != "POST":
        erasure = contacts.erasure_of(contact)
        return render(request, "surveys/contact_delete.html", {"contact": contact, "erasure": erasure})
    name = str(contact)
    counts = contacts.erase_contact(contact)
    kept: dict[str, list[str]] = {}  # where → ["2 answers"]
    for eraser in contacts.erasers():
        if n := counts.get(eraser.noun):
            kept.setdefault(eraser.where, []).append(f"{n} {eraser.noun}{pluralize(n)}")
    messages.success(
        request,
        f"{name} was erased for good."
        + "".join(f" Kept {where}, anonymised: {', '.join(items)}." for where, items in kept.items()),
    )
    return redirect("surveys:contact_list")


@require_POST
@role_required("admin")
def contact_export(request, pk):
    """Everything held about the contact as one JSON file (a data subject's access request); audited."""
    contact = get_object_or_404(Contact, pk=pk)
    document = privacy.export_contact(contact)
    response = JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


# Contact CSV import: the shared steps (import_flow.py), then what only contact imports have.

contact_imports = ImportFlow(
    model=ContactImport,
    upload_form=forms.ContactImportUploadForm,
    mapping_form=forms.ContactImportMappingForm,
    templates="surveys/import",
    create=lambda form, user: contact_import.create_import(form.cleaned_data["file"], user=user),
    start_check=lambda upload, form: contact_import.start_check(
        upload, mapping=form.cleaned_data["mapping"], campaign=form.cleaned_data["campaign"]
    ),
    start_load=contact_import.start_load,
    cancel=contact_import.cancel_import,
    start_context=lambda: {"imports": ContactImport.objects.select_related("created_by")[:10]},
)
import_views = contact_imports.views()


@role_required("admin")
def import_progress(request, pk):
    """The live progress partial, polled by htmx; reloads the whole page once the step is over."""
    from django_htmx.http import HttpResponseClientRefresh

    upload = get_object_or_404(ContactImport, pk=pk)
    if not upload.is_running and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "surveys/_import_progress.html", {"import": upload})


@role_required("admin")
def import_rejected(request, pk):
    upload = get_object_or_404(ContactImport, pk=pk)
    expired = HttpResponse(
        f"The rejected rows of this import have expired: they are deleted "
        f"{settings.IMPORT_FILE_RETENTION_DAYS} days after an import ends.",
        status=410,
        content_type="text/plain",
    )
    if not upload.rejected_file:
        if import_files.rejected_rows_expired(upload):
            return expired
        return HttpResponse("This import has no rejected rows.", status=404, content_type="text/plain")
    name = upload.original_name.rsplit(".", 1)[0] + "-rejected.csv"
    try:
        file = upload.rejected_file.open("rb")
    except FileNotFoundError:
        return expired
    return FileResponse(file, as_attachment=True, filename=name, content_type="text/csv")
