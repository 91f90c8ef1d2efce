"""Settings → Widget sites: the sites of the on-site widget, their snippet, secret and CSP (docs/widget.md).

Admins create, change and delete sites; leads may look (the snippet, the origins), not see the secret.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from nps.accounts.roles import has_role, role_required

from . import sites
from .models import Campaign, Channel, Site
from .site_forms import SiteForm, web_campaigns

EXAMPLE_EMAIL = "asha@example.com"


def public_origin() -> str:
    """This server's origin as host pages reach it (PUBLIC_BASE_URL): what their CSP must allow."""
    parts = urlsplit(settings.PUBLIC_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def widget_url() -> str:
    return settings.PUBLIC_BASE_URL + "/w/widget.js"


def snippet(site: Site, *, identified: bool = True) -> str:
    """The two lines a host page carries: the loader, then the queued call (identified or anonymous)."""
    if identified:
        hashed = ', userHash: "HASH_FROM_YOUR_SERVER"' if site.require_user_hash else ""
        call = f'opennps("survey", {{email: "{EXAMPLE_EMAIL}", name: "Asha", properties: {{plan: "pro"}}{hashed}}});'
    else:
        call = 'opennps("survey", {properties: {plan: "free"}});'
    return (
        f'<script async src="{widget_url()}" data-site="{site.key}"></script>\n'
        "<script>window.opennps=window.opennps||function(){(opennps.q=opennps.q||[]).push(arguments)};\n"
        f"  {call}</script>"
    )


def delighted_snippet(site: Site) -> str:
    """Delighted's own loader, as its help pages printed it, with our address and the site key in place of
    its CDN and token: a Delighted customer swaps this line and keeps every delighted.survey() call."""
    return (
        "<script>\n"
        '!function(e,t,r,n){if(!e[n]){for(var a=e[n]=[],i=["survey","reset","track"],s=0;s<i.length;s++)'
        "{var c=i[s];a[c]=a[c]||function(e){return function(){var t=Array.prototype.slice.call(arguments);"
        'a.push([e,t])}}(c)}a.SNIPPET_VERSION="1.0.1";var o=t.createElement("script");'
        'o.type="text/javascript",o.async=!0,'
        f'o.src="{settings.PUBLIC_BASE_URL}/w/"+r+"/"+n+".js";'
        'var p=t.getElementsByTagName("script")[0];p.parentNode.insertBefore(o,p)}}'
        f'(window,document,"{site.key}","delighted");\n'
        "</script>\n"
        "<script>\n"
        f'  delighted.survey({{email: "{EXAMPLE_EMAIL}", name: "Asha", createdAt: "2025-06-01T10:00:00Z",\n'
        '    properties: {plan: "pro", locale: "en"}});\n'
        "</script>"
    )


RECIPES = [
    (
        "python",
        "Python",
        "import hashlib, hmac, os\n\n"
        "def opennps_user_hash(identity: str) -> str:\n"
        '    """identity: the email (or externalId) exactly as you pass it to opennps("survey")."""\n'
        '    secret = os.environ["OPENNPS_SITE_SECRET"].encode()\n'
        "    return hmac.new(secret, identity.encode(), hashlib.sha256).hexdigest()",
    ),
    (
        "node",
        "Node.js",
        'const crypto = require("node:crypto");\n\n'
        "function opennpsUserHash(identity) {\n"
        '  return crypto.createHmac("sha256", process.env.OPENNPS_SITE_SECRET)\n'
        '    .update(identity, "utf8").digest("hex");\n'
        "}",
    ),
    (
        "php",
        "PHP",
        "function opennps_user_hash(string $identity): string {\n"
        "    return hash_hmac('sha256', $identity, getenv('OPENNPS_SITE_SECRET'));\n"
        "}",
    ),
    (
        "ruby",
        "Ruby",
        'require "openssl"\n\n'
        "def opennps_user_hash(identity)\n"
        '  OpenSSL::HMAC.hexdigest("SHA256", ENV.fetch("OPENNPS_SITE_SECRET"), identity)\n'
        "end",
    ),
]


def csp_lines(origin: str) -> dict:
    """The Content-Security-Policy a host page needs for the widget: our script and API, nothing else."""
    return {
        "plain": f"script-src 'self' {origin}; connect-src 'self' {origin}",
        "nonce": (
            f"script-src 'self' {origin} 'nonce-RANDOM_PER_RESPONSE'; connect-src 'self' {origin}; "
            "style-src 'self' 'nonce-RANDOM_PER_RESPONSE'"
        ),
    }


def _detail_context(request, site: Site, *, show_secret: bool = False) -> dict:
    origin = public_origin()
    return {
        "site": site,
        "snippet": snippet(site),
        "anonymous_snippet": snippet(site, identified=False) if site.allow_anonymous else "",
        "delighted_snippet": delighted_snippet(site),
        "delighted_url": f"{settings.PUBLIC_BASE_URL}/w/{site.key}/delighted.js",
        "widget_url": widget_url(),
        "recipes": RECIPES,
        "csp": csp_lines(origin),
        "origin": origin,
        "base_url": settings.PUBLIC_BASE_URL,
        "language_name": dict(settings.LANGUAGES).get(site.language, site.language),
        "show_secret": show_secret and has_role(request.user, "admin"),
        # A developer's own machine may be plain http; anything else breaks on https pages.
        "plain_http_base": origin.startswith("http://")
        and urlsplit(origin).hostname not in {"localhost", "127.0.0.1", "::1"},
    }


def share_context(campaign: Campaign) -> dict | None:
    """The campaign page's Share panel: its public link, QR code, kiosk and widget sites; None when the
    campaign has none of those channels."""
    channels = set(campaign.channels or [])
    if not channels & {Channel.WEB, Channel.LINK, Channel.KIOSK}:
        return None
    return {
        "link": _public_url("responses:link", campaign) if Channel.LINK in channels else "",
        "kiosk": _public_url("responses:kiosk", campaign) if Channel.KIOSK in channels else "",
        "web": Channel.WEB in channels,
        "sites": list(campaign.sites.all()) if Channel.WEB in channels else [],
        "running": campaign.status == Campaign.Status.RUNNING,
    }


def _public_url(name: str, campaign: Campaign) -> str:
    try:
        return settings.PUBLIC_BASE_URL + reverse(name, args=[campaign.public_token])
    except NoReverseMatch:  # the answer app's pages are not mounted (never in this project's URLs)
        return ""


@role_required("lead")
def site_list(request):
    context = {
        "sites": Site.objects.select_related("campaign"),
        "has_web_campaign": web_campaigns().exists(),
    }
    return render(request, "surveys/site_list.html", context)


@role_required("admin")
def site_create(request):
    form = SiteForm(request.POST or None, instance=Site())
    if request.method == "POST" and form.is_valid():
        site = form.save(commit=False)
        try:
            sites.create_site(site)
        except sites.SiteError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(request, f"The site {site.name} is created: copy its snippet into your pages.")
            return redirect("surveys:site_detail", site.pk)
    context = {"form": form, "site": form.instance, "has_web_campaign": web_campaigns().exists()}
    return render(request, "surveys/site_form.html", context, status=400 if form.errors else 200)


@role_required("lead")
def site_detail(request, pk):
    site = get_object_or_404(Site.objects.select_related("campaign__brand"), pk=pk)
    return render(request, "surveys/site_detail.html", _detail_context(request, site))


@role_required("admin")
def site_edit(request, pk):
    site = get_object_or_404(Site, pk=pk)
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        changes = form.audit_changes()
        try:
            sites.update_site(form.save(commit=False), changes=changes)
        except sites.SiteError as error:
            form.add_error(error.field or None, str(error))
        else:
            messages.success(request, f"The site {site.name} is saved.")
            return redirect("surveys:site_detail", site.pk)
    context = {"form": form, "site": site, "has_web_campaign": True}
    return render(request, "surveys/site_form.html", context, status=400 if form.errors else 200)


@never_cache
@require_POST
@role_required("admin")
def site_secret(request, pk):
    """The detail page with the secret shown: asked for by a button, never in a link or the history."""
    site = get_object_or_404(Site.objects.select_related("campaign__brand"), pk=pk)
    return render(request, "surveys/site_detail.html", _detail_context(request, site, show_secret=True))


@role_required("admin")
def site_regenerate(request, pk):
    """GET: what regenerating breaks; POST: a new secret (the old one stops working at once)."""
    site = get_object_or_404(Site, pk=pk)
    if request.method != "POST":
        return render(request, "surveys/site_confirm.html", {"site": site, "action": "regenerate"})
    sites.regenerate_secret(site)
    messages.success(
        request,
        "New secret created: show it below and put it on your server now. Identities signed with the old "
        "one are refused.",
    )
    return redirect("surveys:site_detail", site.pk)


@role_required("admin")
def site_delete(request, pk):
    """GET: what deleting does; POST: delete the site (answers already given stay)."""
    site = get_object_or_404(Site.objects.select_related("campaign"), pk=pk)
    if request.method != "POST":
        return render(request, "surveys/site_confirm.html", {"site": site, "action": "delete"})
    name = site.name
    sites.delete_site(site)
    messages.success(request, f"The site {name} is deleted: its snippet shows nothing any more.")
    return redirect("surveys:site_list")
