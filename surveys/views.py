import functools
import logging

from anymail.exceptions import AnymailConfigurationError
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from nps.i18n import customer_language
from nps.roles import public, role_required

from . import delivery, forms, importing, services
from .import_flow import ImportFlow
from .models import Brand, Campaign, Contact, ContactImport, Invitation

log = logging.getLogger(__name__)

# Brands


@role_required("admin")
def brand_list(request):
    return render(request, "surveys/brand_list.html", {"brands": Brand.objects.all()})


@role_required("admin")
def brand_edit(request, pk=None):
    brand = get_object_or_404(Brand, pk=pk) if pk else Brand()
    form = forms.BrandForm(request.POST or None, request.FILES or None, instance=brand)
    if request.method == "POST" and form.is_valid():
        brand = form.save()
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


def _detail(request, campaign, *, audience_form=None, status=200):
    campaign = services.with_figures(Campaign.objects.select_related("brand")).get(pk=campaign.pk)
    context = {
        "campaign": campaign,
        "figures": services.figures(campaign),
        "audience_form": audience_form or forms.AudienceFilterForm.from_filter(campaign.audience_filter),
        "languages": [name for code, name in forms.other_languages() if campaign.translations.get(code)],
        "texts": {field: campaign.text(field) for field in forms.TRANSLATED_FIELDS},
        "filter_rows": [
            (key, value if isinstance(value, list) else [value])
            for key, value in campaign.audience_filter.items()
        ],
    }
    return render(request, "surveys/campaign_detail.html", context, status=status)


@role_required("lead")
def campaign_detail(request, pk):
    return _detail(request, get_object_or_404(Campaign, pk=pk))


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
        campaign = services.save_campaign(form.save(commit=False))
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


campaign_launch = _lifecycle(services.launch_campaign, _launched)
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


# Previews: the exact email and answer page, each in a sandboxed iframe served by this site only.


def _sample_invitation(campaign, language):
    contact = Contact(name="Asha Rao", email="asha.rao@example.com", language=language)
    return Invitation(campaign=campaign, contact=contact, token="preview", language=language)  # noqa: S106


@role_required("lead")
def campaign_preview(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    form = forms.PreviewForm(request.GET or None)
    language = form.language()
    context = {"campaign": campaign, "form": form, "language": language}
    try:
        from .channels.email import build_message

        message = build_message(_sample_invitation(campaign, language))
    except ImportError:
        context["email_missing"] = True
    else:
        context["message"] = message
    return render(request, "surveys/campaign_preview.html", context)


@xframe_options_sameorigin
@csp_replace(
    {
        "frame-ancestors": ["'self'"],
        # The email's inline styles, its logo and nothing that runs.
        "style-src": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "https:", "http:"],
        "script-src": ["'none'"],
        "form-action": ["'none'"],
    }
)
@role_required("lead")
def campaign_preview_email(request, pk):
    from .channels.email import build_message

    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    message = build_message(_sample_invitation(campaign, forms.PreviewForm(request.GET).language()))
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
    if html is None:
        return HttpResponse(message.body, content_type="text/plain; charset=utf-8")
    return HttpResponse(html)


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
@role_required("lead")
def campaign_preview_answer(request, pk):
    from responses.pages import answer_page

    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    invitation = _sample_invitation(campaign, forms.PreviewForm(request.GET).language())
    return answer_page(request, invitation, score=9, preview=True)


# Unsubscribe (public: the token authenticates)


# csrf_exempt: mailbox providers send the RFC 8058 one-click POST without a CSRF token; a GET never
# unsubscribes, because link scanners fetch every link of an email.
@public
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    invitation = Invitation.objects.select_related("campaign__brand", "contact").filter(token=token).first()
    if invitation is None:
        return render(request, "surveys/unsubscribe_invalid.html", status=404)
    address = delivery.address_of(invitation.contact, invitation.channel)
    context = {"company": invitation.campaign.brand.company_name, "address": address}
    with translation.override(customer_language(request, invitation)):
        if request.method == "POST":
            delivery.unsubscribe(invitation)
            return render(request, "surveys/unsubscribe_done.html", context)
        context["already"] = delivery.is_suppressed(address)
        return render(request, "surveys/unsubscribe.html", context)


# Contacts


@role_required("lead")
def contact_list(request):
    query = request.GET.get("q", "").strip()
    # Newest first by id: served by the primary key index, unlike created_at, at a million contacts.
    contacts = Contact.objects.search(query).order_by("-pk")
    page = Paginator(contacts, 50).get_page(request.GET.get("page"))
    return render(request, "surveys/contact_list.html", {"page": page, "query": query})


@role_required("lead")
def contact_detail(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    invitations = contact.invitations.select_related("campaign").order_by("-created_at")[:50]
    answers = contact.answers.select_related("campaign").order_by("-answered_at")[:50]
    memberships = contact.memberships.select_related("campaign").order_by("-added_at")
    return render(
        request,
        "surveys/contact_detail.html",
        {"contact": contact, "invitations": invitations, "answers": answers, "memberships": memberships},
    )


@role_required("admin")
def contact_edit(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    form = forms.ContactForm(request.POST or None, instance=contact)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, f"{contact} was saved.")
            return redirect(contact)
        return render(request, "surveys/contact_form.html", {"form": form, "contact": contact}, status=400)
    return render(request, "surveys/contact_form.html", {"form": form, "contact": contact})


@role_required("admin")
def contact_delete(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if request.method != "POST":
        # Answers to surveys go with the surveys; answers given without one (a public link) stay anonymous.
        answers = contact.answers.filter(invitation__isnull=False).count()
        return render(request, "surveys/contact_delete.html", {"contact": contact, "answers": answers})
    name = str(contact)
    contact.delete()
    messages.success(request, f"{name} was deleted, with their invitations.")
    return redirect("surveys:contact_list")


# Contact CSV import: the shared steps (import_flow.py), then what only contact imports have.

contact_imports = ImportFlow(
    model=ContactImport,
    upload_form=forms.ContactImportUploadForm,
    mapping_form=forms.ContactImportMappingForm,
    templates="surveys/import",
    checked_status=ContactImport.Status.VALIDATED,
    create=lambda form, user: importing.create_import(form.cleaned_data["file"], user=user),
    start_check=lambda upload, form: importing.start_check(
        upload, mapping=form.cleaned_data["mapping"], campaign=form.cleaned_data["campaign"]
    ),
    start_load=importing.start_load,
    cancel=importing.cancel_import,
    start_context=lambda: {"imports": ContactImport.objects.select_related("created_by")[:10]},
)
import_views = contact_imports.views()


@role_required("admin")
def import_progress(request, pk):
    """The live progress partial, polled by htmx; reloads the whole page once the step is over."""
    from django_htmx.http import HttpResponseClientRefresh

    contact_import = get_object_or_404(ContactImport, pk=pk)
    if not contact_import.is_running and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "surveys/_import_progress.html", {"import": contact_import})


@role_required("admin")
def import_rejected(request, pk):
    contact_import = get_object_or_404(ContactImport, pk=pk)
    if not contact_import.rejected_file:
        return HttpResponse("This import has no rejected rows.", status=404, content_type="text/plain")
    name = contact_import.original_name.rsplit(".", 1)[0] + "-rejected.csv"
    return FileResponse(
        contact_import.rejected_file.open("rb"), as_attachment=True, filename=name, content_type="text/csv"
    )


# ESP tracking webhooks (anymail's views, wrapped in nps/urls.py)


def esp_webhook(view):
    """anymail's webhook view, answering 4xx to a payload it cannot read instead of a 500.

    anymail authenticates, then parses and lets parse errors escape. A 5xx would make the provider retry a
    payload that can never be read; database errors still raise, so the provider retries those. The
    atomic block keeps a batch that fails half way from writing half of its events.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except AnymailConfigurationError as error:
            log.error("ESP webhook %s is not configured: %s", request.path, error)
            return HttpResponse(
                "This email provider is not configured.", status=404, content_type="text/plain"
            )
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            log.warning("Unreadable ESP webhook payload on %s: %r", request.path, error)
            return HttpResponse(
                "The payload is not a webhook this provider sends.", status=400, content_type="text/plain"
            )

    return wrapped
