"""The staff pages of texting: its settings (Twilio, webhooks, DLT link prefix), the quiet hours table and
the received texts that need someone's attention (docs/sms-and-whatsapp.md)."""

from dataclasses import dataclass, field

import phonenumbers
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from phonenumbers import geocoder

from nps.accounts.roles import role_required
from nps.inputs import parse_int

from ...models import Brand, Channel, QuietHoursRule, TextMessage
from . import quiet_hours, sms, whatsapp
from .forms import QuietHoursRuleForm

RECEIVED_PER_PAGE = 25


@dataclass
class Setting:
    """One setting as the texting page shows it: its name, what it holds (never a secret) and whether
    it is needed and missing."""

    name: str
    shown: str
    missing: bool = False
    variable: bool = True  # an environment variable (else a count from the database)


@dataclass
class ChannelSetup:
    label: str
    ready: bool
    settings: list[Setting] = field(default_factory=list)
    # Alternatives of which one is needed, in words: "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID".
    needs: list[str] = field(default_factory=list)


def _value(name: str, *, secret: bool = False) -> Setting:
    value = getattr(settings, name)
    if not value:
        return Setting(name, "not set")
    return Setting(name, "set (hidden)" if secret else str(value))


def channel_setups() -> list[ChannelSetup]:
    """Whether SMS and WhatsApp can send, and which settings they still need (values never shown for
    the auth token)."""
    if settings.SMS_BACKEND == "file":
        return [
            ChannelSetup(label, ready=True)
            for label in (Channel.SMS.label, Channel.WHATSAPP.label)  # the demo writes files: always ready
        ]
    brands = Brand.objects.all()
    account = [_value("TWILIO_ACCOUNT_SID"), _value("TWILIO_AUTH_TOKEN", secret=True)]
    for setting in account:
        setting.missing = setting.shown == "not set"
    account_needs = [setting.name for setting in account if setting.missing]

    sms_senders = brands.exclude(sms_sender="", messaging_service_sid="").count()
    sms_needs = list(account_needs)
    if not (settings.TWILIO_FROM_NUMBER or settings.TWILIO_MESSAGING_SERVICE_SID or sms_senders):
        sms_needs.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID (or a sender on a brand)")
    sms_setup = ChannelSetup(
        Channel.SMS.label,
        ready=sms.is_configured(),
        settings=[
            *account,
            _value("TWILIO_FROM_NUMBER"),
            _value("TWILIO_MESSAGING_SERVICE_SID"),
            Setting("Brands with their own sender", str(sms_senders), variable=False),
        ],
        needs=sms_needs,
    )

    wa_services = brands.exclude(messaging_service_sid="").exists()
    wa_senders = brands.exclude(whatsapp_sender="").count()
    wa_needs = list(account_needs)
    if not (settings.TWILIO_MESSAGING_SERVICE_SID or wa_services):
        wa_needs.append(
            "TWILIO_MESSAGING_SERVICE_SID (or a Messaging Service on a brand): templates need one"
        )
    if not (settings.TWILIO_WHATSAPP_FROM or wa_senders):
        wa_needs.append("TWILIO_WHATSAPP_FROM (or a WhatsApp sender on a brand)")
    wa_setup = ChannelSetup(
        Channel.WHATSAPP.label,
        ready=whatsapp.is_configured(),
        settings=[
            *account,
            _value("TWILIO_MESSAGING_SERVICE_SID"),
            _value("TWILIO_WHATSAPP_FROM"),
            Setting("Brands with their own WhatsApp sender", str(wa_senders), variable=False),
        ],
        needs=wa_needs,
    )
    return [sms_setup, wa_setup]


def _country(code: str) -> str:
    """ "India (IN)": phonenumbers names a country through one of its numbers."""
    example = phonenumbers.example_number(code.upper())
    name = geocoder.country_name_for_number(example, "en") if example else ""
    return f"{name} ({code})" if name else code


def needing_attention():
    """Received texts nobody has read yet: no open survey took them (a late reply, a question)."""
    return TextMessage.objects.filter(direction=TextMessage.Direction.IN, needs_attention=True)


@role_required("admin")
def texting_settings(request):
    base = settings.PUBLIC_BASE_URL
    context = {
        "file_backend": settings.SMS_BACKEND == "file",
        "outbox_dir": settings.SMS_OUTBOX_DIR,
        "setups": channel_setups(),
        "api_base_url": settings.TWILIO_API_BASE_URL,
        "custom_api": settings.TWILIO_API_BASE_URL != "https://api.twilio.com",
        "token_missing": not settings.TWILIO_AUTH_TOKEN,
        "inbound_url": base + reverse("twilio_inbound"),
        "status_url": base + reverse("twilio_status"),
        # Twilio cannot call a private address, and signs the URL it calls: https and public, or nothing.
        "base_is_public": base.startswith("https://")
        and not any(host in base for host in ("://localhost", "://127.", "://0.0.0.0", "://[::1]")),
        "public_base_url": base,
        "dlt_prefix": base + "/s?",
        "base_window": _base_window(),
        "rule_count": QuietHoursRule.objects.count(),
        "attention_count": needing_attention().count(),
        "link_only_regions": [_country(code) for code in settings.TEXT_LINK_ONLY_REGIONS],
        "conversation_hours": settings.TEXT_CONVERSATION_HOURS,
    }
    return render(request, "channels/texting/settings.html", context)


# Quiet hours ---------------------------------------------------------------------------------------------


def _base_window() -> list[str]:
    """TEXT_QUIET_HOURS as ["08:00", "21:00"]."""
    return [quiet_hours.clock(part) for part in quiet_hours.base_window()]


def _subdivision_names() -> dict[str, str]:
    names = {}
    for country, table in quiet_hours.SUBDIVISIONS.items():
        for name, code in table.items():
            names.setdefault(f"{country}-{code}", name)
    return names


@role_required("admin")
def quiet_hours_list(request):
    rules = list(QuietHoursRule.objects.all())
    names = _subdivision_names()
    for rule in rules:
        rule.region_name = names.get(rule.region, "")
        rule.days = "Every day" if rule.weekday is None else quiet_hours.WEEKDAYS[rule.weekday]
    context = {
        "rules": rules,
        "base_window": _base_window(),
    }
    return render(request, "channels/texting/quiet_hours.html", context)


def _rule_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in quiet_hours.FIELDS}


def _rule_form_page(request, form, rule=None, *, status=200):
    return render(
        request, "channels/texting/quiet_hours_form.html", {"form": form, "rule": rule}, status=status
    )


@role_required("admin")
def quiet_hours_create(request):
    start, end = quiet_hours.base_window()
    initial = {"start": quiet_hours.clock(start)} | (
        {"end": quiet_hours.clock(end)} if end < quiet_hours.DAY else {}
    )
    form = QuietHoursRuleForm(request.POST or None, initial=initial)
    if request.method != "POST":
        return _rule_form_page(request, form)
    if form.is_valid():
        try:
            rule = quiet_hours.add_rule(**_rule_fields(form))
        except quiet_hours.RuleConflict:
            form.add_error(
                "region", "This region got a rule for that day meanwhile: change that rule instead."
            )
        else:
            messages.success(
                request, f"Rule added: {quiet_hours.describe(rule)}. It applies to the next text."
            )
            return redirect("surveys:quiet_hours")
    return _rule_form_page(request, form, status=400)


@role_required("admin")
def quiet_hours_edit(request, pk):
    rule = get_object_or_404(QuietHoursRule, pk=pk)
    form = QuietHoursRuleForm(request.POST or None, instance=rule)
    if request.method != "POST":
        return _rule_form_page(request, form, rule)
    if form.is_valid():
        try:
            quiet_hours.change_rule(rule, **_rule_fields(form))
        except quiet_hours.RuleConflict:
            form.add_error(
                "region", "This region got a rule for that day meanwhile: change that rule instead."
            )
        else:
            messages.success(request, f"Rule saved: {quiet_hours.describe(rule)}.")
            return redirect("surveys:quiet_hours")
    return _rule_form_page(request, form, rule, status=400)


@role_required("admin")
def quiet_hours_delete(request, pk):
    """GET asks for confirmation; POST deletes."""
    rule = get_object_or_404(QuietHoursRule, pk=pk)
    if request.method != "POST":
        context = {"rule": rule, "description": quiet_hours.describe(rule), "base_window": _base_window()}
        return render(request, "channels/texting/quiet_hours_delete.html", context)
    description = quiet_hours.describe(rule)
    quiet_hours.delete_rule(rule)
    messages.success(request, f"Rule deleted: {description}.")
    return redirect("surveys:quiet_hours")


# Received texts ------------------------------------------------------------------------------------------


@role_required("lead")
def received_texts(request):
    texts = needing_attention().select_related("contact").order_by("-created_at", "-pk")
    page = Paginator(texts, RECEIVED_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "channels/texting/received.html", {"page": page})


@require_POST
@role_required("lead")
def mark_read(request, pk):
    """Takes the text off the list; it stays on the contact's page."""
    text = get_object_or_404(TextMessage, pk=pk, direction=TextMessage.Direction.IN)
    TextMessage.objects.filter(pk=text.pk).update(needs_attention=False)
    messages.success(request, f"Marked as read: the text from {text.contact or text.from_number}.")
    url = reverse("surveys:received_texts")
    page = parse_int(request.POST.get("page", ""), low=2, high=10_000)
    return redirect(f"{url}?page={page}" if page else url)
