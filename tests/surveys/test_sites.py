"""Widget sites: the staff pages (create, edit, snippet, secret, delete), origin checks and the audit log."""

import hashlib
import hmac

import pytest
from django.test import Client

from nps.accounts.roles import Role
from nps.audit.models import AuditEntry
from surveys import site_views, sites, widget
from surveys.models import Campaign, Site
from tests.factories import make_campaign, make_user

pytestmark = pytest.mark.django_db


def make_web_campaign(**fields):
    fields.setdefault("name", "In-app NPS")
    fields.setdefault("channels", ["web"])
    fields.setdefault("status", Campaign.Status.RUNNING)
    return make_campaign(**fields)


def make_site(**fields):
    fields.setdefault("name", "Web app")
    fields.setdefault("allowed_origins", ["https://app.example.com"])
    campaign = fields.pop("campaign", None) or make_web_campaign()
    return Site.objects.create(campaign=campaign, **fields)


def site_data(for_campaign, **overrides):
    data = {
        "name": "Web app",
        "campaign": str(for_campaign.pk),
        "allowed_origins": "https://app.example.com\nhttp://localhost:3000",
        "language": "",
        "accent_color": "",
        "position": "right",
        "recontact": "until_answered",
        "dismiss_wait_days": "30",
        "sample_percent": "100",
        "rate_limit": "120/m",
    }
    data.update(overrides)
    return data


def client_as(role):
    client = Client()
    client.force_login(make_user(role=role))
    return client


@pytest.fixture
def admin():
    return client_as(Role.ADMIN)


# The list


def test_empty_list_says_to_tick_the_widget_channel_first(admin):
    page = admin.get("/settings/sites/")
    assert page.status_code == 200
    assert "No widget site yet" in page.text
    assert "“On-site widget” channel" in page.text
    assert "/campaigns/new/" in page.text


def test_empty_list_with_a_web_campaign_offers_to_create_a_site(admin):
    make_web_campaign()
    page = admin.get("/settings/sites/")
    assert "Create a site" in page.text
    assert "/settings/sites/new/" in page.text


def test_settings_hub_links_to_the_sites(admin):
    page = admin.get("/settings/")
    assert "Widget sites" in page.text
    assert "/settings/sites/" in page.text


def test_list_shows_each_site_with_its_campaign_and_origins(admin):
    site = make_site(require_user_hash=True)
    page = admin.get("/settings/sites/")
    assert site.name in page.text
    assert site.campaign.name in page.text
    assert "https://app.example.com" in page.text
    assert "Verified (userHash)" in page.text


# Create and edit


def test_admin_creates_a_site_and_sees_its_snippet(admin):
    campaign = make_web_campaign()
    response = admin.post("/settings/sites/new/", site_data(campaign, sample_percent="25"))
    assert response.status_code == 302
    site = Site.objects.get()
    assert response["Location"] == f"/settings/sites/{site.pk}/"
    assert site.campaign == campaign
    assert site.allowed_origins == ["https://app.example.com", "http://localhost:3000"]
    assert site.sample_factor == pytest.approx(0.25)
    assert len(site.key) >= 16 and len(site.secret) >= 32

    entry = AuditEntry.objects.get(action="site.create")
    assert entry.object_id == str(site.pk)
    assert entry.changes["allowed_origins"] == site.allowed_origins
    assert site.secret not in str(entry.changes)

    page = admin.get(response["Location"])
    assert page.status_code == 200
    assert f"data-site=&quot;{site.key}&quot;" in page.text
    assert "/w/widget.js" in page.text
    assert "opennps.q=opennps.q||[]" in page.text
    assert f"/w/{site.key}/delighted.js" in page.text
    assert "delighted.survey(" in page.text
    assert "hash_hmac(&#x27;sha256&#x27;" in page.text  # the PHP recipe
    assert "OpenSSL::HMAC.hexdigest" in page.text
    assert "createHmac(&quot;sha256&quot;" in page.text
    assert "hmac.new(secret" in page.text
    assert "connect-src &#x27;self&#x27;" in page.text
    assert site.secret not in page.text  # shown only on demand


def test_snippet_uses_the_public_base_url(admin, settings):
    settings.PUBLIC_BASE_URL = "https://nps.example.com"
    site = make_site()
    page = admin.get(f"/settings/sites/{site.pk}/")
    assert (
        f"&lt;script async src=&quot;https://nps.example.com/w/widget.js&quot; data-site=&quot;{site.key}"
        in page.text
    )
    assert (
        "script-src &#x27;self&#x27; https://nps.example.com; connect-src &#x27;self&#x27; https://nps.example.com"
        in page.text
    )
    assert "https://nps.example.com/w/&quot;+r+&quot;/&quot;+n+&quot;.js" in page.text


def test_only_web_campaigns_are_offered_and_others_refused(admin):
    web = make_web_campaign(name="Widget one")
    email = make_campaign(name="Email only", channels=["email"])
    archived = make_web_campaign(name="Old widget", status=Campaign.Status.ARCHIVED)
    form = admin.get("/settings/sites/new/")
    assert "Widget one" in form.text
    assert "Email only" not in form.text and "Old widget" not in form.text

    for campaign in (email, archived):
        response = admin.post("/settings/sites/new/", site_data(campaign))
        assert response.status_code == 400
        assert "Choose a campaign with the “On-site widget” channel" in response.text
    assert not Site.objects.exists()
    assert admin.post("/settings/sites/new/", site_data(web)).status_code == 302


def test_admin_edits_a_site_and_the_change_is_audited(admin):
    site = make_site()
    response = admin.post(
        f"/settings/sites/{site.pk}/edit/",
        site_data(
            site.campaign,
            name="Product",
            allowed_origins="https://APP.example.com:443/\nhttps://beta.example.com:8443",
            require_user_hash="on",
            rate_limit="30/m",
        ),
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Product"
    assert site.allowed_origins == ["https://app.example.com", "https://beta.example.com:8443"]
    assert site.require_user_hash is True
    assert site.rate_limit == "30/m"
    entry = AuditEntry.objects.get(action="site.update")
    assert entry.changes["allowed_origins"] == [
        ["https://app.example.com"],
        ["https://app.example.com", "https://beta.example.com:8443"],
    ]
    assert entry.changes["require_user_hash"] == [False, True]
    assert "sample_factor" not in entry.changes


def test_snippet_carries_the_user_hash_when_the_site_requires_it(admin):
    site = make_site(require_user_hash=True, allow_anonymous=True)
    page = admin.get(f"/settings/sites/{site.pk}/")
    assert "userHash: &quot;HASH_FROM_YOUR_SERVER&quot;" in page.text
    assert "Visitors who are not signed in" in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rate_limit", "lots", "Write a rate like 120/m"),
        ("rate_limit", "0/m", "Allow at least 1 request."),
        ("sample_percent", "101", "less than or equal to 100"),
        ("sample_percent", "-1", "greater than or equal to 0"),
        ("dismiss_wait_days", "٣", "Enter a whole number"),
        ("dismiss_wait_days", "99999999999999999999999", "Enter a whole number"),
        ("dismiss_wait_days", "4000", "less than or equal to 3650"),
        ("accent_color", "red", "Use a colour like #4f46e5."),
        ("name", "Web\x00app", "Null characters are not allowed."),
        ("position", "top", "Select a valid choice."),
        ("campaign", "99999999999999999999", "Choose a campaign"),
        ("allowed_origins", "", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_precise_message(admin, field, value, message):
    campaign = make_web_campaign()
    response = admin.post("/settings/sites/new/", site_data(campaign, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Site.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="site.").exists()


# Origins


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://app.example.com", "https://app.example.com"),
        ("  HTTPS://App.Example.COM/ ", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("https://app.example.com:8443", "https://app.example.com:8443"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_origins_are_normalised_as_browsers_send_them(given, stored):
    assert sites.normalize_origin(given, allow_http=False) == stored


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("app.example.com", "is not an origin"),
        ("ftp://app.example.com", "is not an origin"),
        ("javascript:alert(1)", "is not an origin"),
        ("https://app.example.com/dashboard", "has a path"),
        ("https://app.example.com?x=1", "has a path"),
        ("https://app.example.com#top", "has a path"),
        ("https://user:pw@app.example.com", "has a user name"),
        ("https://*.example.com", "wildcards are not allowed"),
        ("http://app.example.com", "uses plain http"),
        ("https://app.example.com:99999", "is not an address"),
        ("https://app.example.com:0", "has no valid port"),
        ("https://app\x00.example.com", "control characters"),
        ("https://app example.com", "control characters"),
        ("https://exa<script>mple.com", "invalid host name"),
        ("https://[::zz]", "is not an address"),
        ("https://" + "a" * 300 + ".com", "longer than 200"),
    ],
)
def test_hostile_origins_are_refused(given, message):
    with pytest.raises(sites.SiteError, match=message):
        sites.normalize_origins([given], allow_http=False)


def test_plain_http_is_allowed_for_any_host_only_in_debug(settings):
    settings.DEBUG = True
    assert sites.normalize_origins(["http://dev.example.test:8000"]) == ["http://dev.example.test:8000"]
    settings.DEBUG = False
    with pytest.raises(sites.SiteError, match="plain http"):
        sites.normalize_origins(["http://dev.example.test:8000"])


def test_at_most_twenty_origins_and_duplicates_count_once(admin):
    origins = [f"https://app{n}.example.com" for n in range(20)]
    assert sites.normalize_origins(origins + ["https://APP0.example.com/"]) == origins
    with pytest.raises(sites.SiteError, match="21 origins: a site takes at most 20"):
        sites.normalize_origins([*origins, "https://one-more.example.com"])

    campaign = make_web_campaign()
    text = "\n".join([*origins, "https://one-more.example.com"])
    response = admin.post("/settings/sites/new/", site_data(campaign, allowed_origins=text))
    assert response.status_code == 400
    assert "a site takes at most 20" in response.text


def test_form_refuses_a_hostile_origin_list_and_writes_nothing(admin):
    campaign = make_web_campaign()
    response = admin.post(
        "/settings/sites/new/",
        site_data(campaign, allowed_origins="https://app.example.com\nhttps://evil.example.com/steal?x=1"),
    )
    assert response.status_code == 400
    assert "has a path" in response.text
    assert not Site.objects.exists()


def test_the_service_refuses_what_the_form_would(admin):
    email = make_campaign(channels=["email"])
    with pytest.raises(sites.SiteError, match="does not use the on-site widget"):
        sites.create_site(Site(name="x", campaign=email, allowed_origins=["https://a.example.com"]))
    with pytest.raises(sites.SiteError, match="has a path"):
        sites.create_site(
            Site(name="x", campaign=make_web_campaign(), allowed_origins=["https://a.example.com/x"])
        )
    assert not Site.objects.exists()


# The secret


def test_secret_is_shown_on_demand_to_admins_only(admin):
    site = make_site()
    detail = admin.get(f"/settings/sites/{site.pk}/")
    assert site.secret not in detail.text
    assert "Show the secret" in detail.text

    shown = admin.post(f"/settings/sites/{site.pk}/secret/")
    assert shown.status_code == 200
    assert site.secret in shown.text
    assert "no-store" in shown["Cache-Control"]
    assert admin.get(f"/settings/sites/{site.pk}/secret/").status_code == 405

    lead = client_as(Role.LEAD)
    page = lead.get(f"/settings/sites/{site.pk}/")
    assert page.status_code == 200
    assert site.secret not in page.text and "Only admins can see the secret" in page.text
    assert lead.post(f"/settings/sites/{site.pk}/secret/").status_code == 403


def test_regenerating_asks_first_then_replaces_the_secret(admin):
    site = make_site(require_user_hash=True)
    old = site.secret

    confirm = admin.get(f"/settings/sites/{site.pk}/secret/regenerate/")
    assert confirm.status_code == 200
    assert "The old secret stops working at once." in confirm.text
    site.refresh_from_db()
    assert site.secret == old  # asking changes nothing

    done = admin.post(f"/settings/sites/{site.pk}/secret/regenerate/", follow=True)
    assert done.status_code == 200
    site.refresh_from_db()
    assert site.secret != old and len(site.secret) >= 32
    assert "New secret created" in done.text
    entry = AuditEntry.objects.get(action="site.secret")
    assert entry.object_id == str(site.pk)
    assert old not in str(entry.changes) and site.secret not in str(entry.changes)


def test_the_python_recipe_computes_the_hash_the_server_checks(monkeypatch):
    site = make_site()
    monkeypatch.setenv("OPENNPS_SITE_SECRET", site.secret)
    recipe = dict((code, text) for code, _name, text in site_views.RECIPES)["python"]
    namespace = {}
    exec(recipe, namespace)  # noqa: S102 - our own recipe, as a customer's server would run it
    assert namespace["opennps_user_hash"]("asha@example.com") == widget.user_hash(site, "asha@example.com")
    expected = hmac.new(site.secret.encode(), b"asha@example.com", hashlib.sha256).hexdigest()
    assert widget.user_hash(site, "asha@example.com") == expected


# Delete


def test_delete_asks_first_then_deletes_and_audits(admin):
    site = make_site()
    confirm = admin.get(f"/settings/sites/{site.pk}/delete/")
    assert confirm.status_code == 200
    assert f"Delete {site.name}?" in confirm.text
    assert Site.objects.filter(pk=site.pk).exists()

    response = admin.post(f"/settings/sites/{site.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/settings/sites/"
    assert not Site.objects.filter(pk=site.pk).exists()
    entry = AuditEntry.objects.get(action="site.delete")
    assert entry.object_label == "Web app"
    assert entry.changes["allowed_origins"] == ["https://app.example.com"]


# Roles


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/settings/sites/new/"),
        ("post", "/settings/sites/new/"),
        ("get", "/settings/sites/{pk}/edit/"),
        ("post", "/settings/sites/{pk}/edit/"),
        ("post", "/settings/sites/{pk}/secret/"),
        ("get", "/settings/sites/{pk}/secret/regenerate/"),
        ("post", "/settings/sites/{pk}/secret/regenerate/"),
        ("get", "/settings/sites/{pk}/delete/"),
        ("post", "/settings/sites/{pk}/delete/"),
    ],
)
@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER])
def test_only_admins_change_sites(method, path, role):
    site = make_site()
    secret = site.secret
    response = getattr(client_as(role), method)(path.format(pk=site.pk), site_data(site.campaign, name="X"))
    assert response.status_code == 403
    site.refresh_from_db()
    assert (site.name, site.secret) == ("Web app", secret)
    assert not AuditEntry.objects.exists()


def test_leads_may_look_viewers_may_not():
    site = make_site()
    lead = client_as(Role.LEAD)
    assert lead.get("/settings/sites/").status_code == 200
    page = lead.get(f"/settings/sites/{site.pk}/")
    assert page.status_code == 200
    assert f'data-site="{site.key}"' in page.text.replace("&quot;", '"')
    assert "/edit/" not in page.text

    viewer = client_as(Role.VIEWER)
    assert viewer.get("/settings/sites/").status_code == 403
    assert viewer.get(f"/settings/sites/{site.pk}/").status_code == 403
    assert Client().get("/settings/sites/").status_code == 302


def test_unknown_or_hostile_site_ids_are_404(admin):
    assert admin.get("/settings/sites/999999/").status_code == 404
    assert admin.get("/settings/sites/99999999999999999999999/").status_code == 404


# The campaign: its link and kiosk settings, and the Share panel


def campaign_form(campaign, **overrides):
    data = {
        "name": campaign.name,
        "brand": campaign.brand.pk,
        "channels": ["link", "kiosk"],
        "question": campaign.question,
        "followup_promoter": "What do you like most?",
        "followup_passive": "What could we do better?",
        "followup_detractor": "What went wrong?",
        "schedule": "now",
        "window_start": "09:00",
        "window_end": "18:00",
        "throttle_days": "90",
        "onsite_shown": "1",
        "link_properties": " Store, agent ,STORE,, table ",
        "kiosk_idle_seconds": "20",
    }
    data.update(overrides)
    return data


def test_campaign_form_sets_the_link_and_kiosk_settings(admin):
    campaign = make_campaign(channels=["email"])
    response = admin.post(f"/campaigns/{campaign.pk}/edit/", campaign_form(campaign))
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign.refresh_from_db()
    assert campaign.channels == ["link", "kiosk"]
    assert campaign.link_properties == ["store", "agent", "table"]
    assert campaign.link_once_per_browser is False  # the box was not ticked
    assert campaign.kiosk_idle_seconds == 20
    form = admin.get(f"/campaigns/{campaign.pk}/edit/")
    assert 'value="store, agent, table"' in form.text


def test_a_form_without_the_link_section_keeps_its_settings(admin):
    campaign = make_campaign(channels=["link"], link_properties=["store"], kiosk_idle_seconds=30)
    data = campaign_form(campaign, channels=["link"])
    for name in ("onsite_shown", "link_properties", "kiosk_idle_seconds"):
        del data[name]
    assert admin.post(f"/campaigns/{campaign.pk}/edit/", data).status_code == 302
    campaign.refresh_from_db()
    assert campaign.link_once_per_browser is True
    assert campaign.kiosk_idle_seconds == 30


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kiosk_idle_seconds", "2", "greater than or equal to 3"),
        ("kiosk_idle_seconds", "601", "less than or equal to 600"),
        ("kiosk_idle_seconds", "١٠", "Enter a whole number"),
        ("kiosk_idle_seconds", "1" * 30, "Enter a whole number"),
        ("link_properties", "store=x", "cannot be a query parameter"),
        ("link_properties", "st\x00ore", "Null characters are not allowed."),
        ("link_properties", ",".join(f"p{n}" for n in range(21)), "At most 20 parameters."),
    ],
)
def test_campaign_form_refuses_bad_link_and_kiosk_settings(admin, field, value, message):
    campaign = make_campaign(channels=["email"])
    response = admin.post(f"/campaigns/{campaign.pk}/edit/", campaign_form(campaign, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.channels == ["email"] and campaign.link_properties == []


def test_share_panel_shows_link_qr_poster_kiosk_and_sites(settings):
    settings.PUBLIC_BASE_URL = "https://nps.example.com"
    campaign = make_web_campaign(channels=["web", "link", "kiosk"], link_properties=["store"])
    site = make_site(campaign=campaign, name="Help centre")
    page = client_as(Role.LEAD).get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    assert "Share" in page.text
    assert f"https://nps.example.com/l/{campaign.public_token}/" in page.text
    assert f"https://nps.example.com/k/{campaign.public_token}/" in page.text
    assert f"/campaigns/{campaign.pk}/qr.svg" in page.text
    assert f"/campaigns/{campaign.pk}/qr.png" in page.text
    assert f"/campaigns/{campaign.pk}/poster/?size=a4" in page.text
    assert "<code>?store=…</code>" in page.text
    assert f'href="/settings/sites/{site.pk}/"' in page.text and "Help centre" in page.text

    email_only = make_campaign(channels=["email"])
    assert "share-panel" not in client_as(Role.LEAD).get(f"/campaigns/{email_only.pk}/").text


def test_share_panel_of_a_widget_campaign_without_a_site_says_what_to_do(admin):
    campaign = make_web_campaign()
    page = admin.get(f"/campaigns/{campaign.pk}/")
    assert "No site shows this campaign yet" in page.text
    assert "/settings/sites/new/" in page.text
