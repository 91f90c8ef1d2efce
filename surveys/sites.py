"""Sites of the on-site widget: create, change, regenerate the secret, delete (docs/widget.md).

Every write goes through a function here and leaves an entry in the audit log. What the widget does on a
site (who is asked, the API) lives in surveys/widget.py; this module only keeps the sites themselves.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction

from nps import audit
from nps.inputs import NUL

from .models import Campaign, Channel, Site, new_token

MAX_ORIGINS = 20
MAX_ORIGIN_LENGTH = 200
# Plain http is for a developer's own machine: elsewhere a page on http can be rewritten on the way.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]"}
DEFAULT_PORTS = {"http": 80, "https": 443}


class SiteError(ValueError):
    """A site that cannot be saved as given; the message is shown to the admin."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


def normalize_origin(text: str, *, allow_http: bool | None = None) -> str:
    """One origin as a browser sends it in the Origin header: "https://app.example.com[:port]".

    Lower-case host (international names in their ASCII form), default port dropped, no path, query,
    fragment or user name. Plain http only for localhost and 127.0.0.1, unless DEBUG (or allow_http).
    """
    allow_http = settings.DEBUG if allow_http is None else allow_http
    value = text.strip()
    shown = value[:60] + ("…" if len(value) > 60 else "")
    if NUL in value or any(char.isspace() for char in value):
        raise SiteError(f"“{shown}” contains spaces or control characters.", field="allowed_origins")
    if len(value) > MAX_ORIGIN_LENGTH:
        raise SiteError(f"“{shown}” is longer than {MAX_ORIGIN_LENGTH} characters.", field="allowed_origins")
    if value.endswith("/"):
        value = value[:-1]  # "https://app.example.com/" is how people copy it from the address bar
    try:
        parts = urlsplit(value)
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        raise SiteError(
            f"“{shown}” is not an address like https://app.example.com.", field="allowed_origins"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host or "//" not in value:
        raise SiteError(
            f"“{shown}” is not an origin: write it as https://app.example.com (with the port if it has "
            "one, like http://localhost:3000).",
            field="allowed_origins",
        )
    if parts.path or parts.query or parts.fragment or "?" in value or "#" in value:
        raise SiteError(
            f"“{shown}” has a path: an origin is only the scheme, the host and the port, "
            "like https://app.example.com.",
            field="allowed_origins",
        )
    if parts.username is not None or parts.password is not None:
        raise SiteError(f"“{shown}” has a user name: leave it out.", field="allowed_origins")
    if "*" in host:
        raise SiteError(
            f"“{shown}”: wildcards are not allowed; list each origin the widget runs on.",
            field="allowed_origins",
        )
    host = _ascii_host(host, shown)
    if scheme == "http" and host not in LOOPBACK_HOSTS and not allow_http:
        raise SiteError(
            f"“{shown}” uses plain http: use https (http is only for localhost and 127.0.0.1).",
            field="allowed_origins",
        )
    if port == 0:
        raise SiteError(f"“{shown}” has no valid port.", field="allowed_origins")
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    return f"{scheme}://{netloc}"


def _ascii_host(host: str, shown: str) -> str:
    """The host as browsers put it in Origin: an IPv6 address in brackets, a name in its ASCII (IDNA) form."""
    if ":" in host:
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            raise SiteError(f"“{shown}” has an invalid IPv6 address.", field="allowed_origins") from None
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise SiteError(f"“{shown}” has an invalid host name.", field="allowed_origins") from None
    labels = ascii_host.rstrip(".").split(".")
    if not all(label and len(label) <= 63 and _is_label(label) for label in labels):
        raise SiteError(f"“{shown}” has an invalid host name.", field="allowed_origins")
    return ".".join(labels)


def _is_label(label: str) -> bool:
    return all(char.isascii() and (char.isalnum() or char in "-_") for char in label) and not (
        label.startswith("-") or label.endswith("-")
    )


def normalize_origins(values, *, allow_http: bool | None = None) -> list[str]:
    """Each origin normalised (normalize_origin), duplicates dropped, in the order given; at most 20."""
    if isinstance(values, str):
        values = values.splitlines()
    origins: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise SiteError("Origins are text, one per line.", field="allowed_origins")
        if not value.strip():
            continue
        origin = normalize_origin(value, allow_http=allow_http)
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise SiteError(
            f"{len(origins)} origins: a site takes at most {MAX_ORIGINS}. Create a second site for the rest.",
            field="allowed_origins",
        )
    return origins


def check_campaign(campaign: Campaign) -> None:
    """A site asks the question of a campaign with the on-site widget channel that is not archived."""
    if Channel.WEB not in campaign.channels:
        raise SiteError(
            f"“{campaign.name}” does not use the on-site widget: tick “{Channel.WEB.label}” among its "
            "channels first.",
            field="campaign",
        )
    if campaign.status == Campaign.Status.ARCHIVED:
        raise SiteError(f"“{campaign.name}” is archived.", field="campaign")


def _checked(site: Site) -> Site:
    site.allowed_origins = normalize_origins(site.allowed_origins or [])
    check_campaign(site.campaign)
    site.full_clean(exclude=["key", "secret"])
    return site


def _described(site: Site) -> dict:
    """What an audit entry of a new or deleted site shows: its settings, never the secret."""
    return {
        "campaign": str(site.campaign),
        "allowed_origins": list(site.allowed_origins),
        "require_user_hash": site.require_user_hash,
        "allow_anonymous": site.allow_anonymous,
    }


def create_site(site: Site) -> Site:
    """Save a new site (from a validated form, or built by hand) with a fresh key and secret."""
    _checked(site)
    with transaction.atomic():
        site.save()
        audit.record("site.create", obj=site, changes=_described(site))
    return site


def update_site(site: Site, *, changes: dict | None = None) -> Site:
    """Save a changed site; `changes` is what the audit log shows ({"field": [before, after]})."""
    _checked(site)
    with transaction.atomic():
        site.save()
        audit.record("site.update", obj=site, changes=changes)
    return site


def regenerate_secret(site: Site) -> Site:
    """A new secret for identity verification: the old one stops working at once."""
    with transaction.atomic():
        site.secret = new_token()
        site.save(update_fields=["secret"])
        audit.record("site.secret", obj=site, changes={"secret": "changed"})
    return site


def delete_site(site: Site) -> None:
    """Delete a site: its snippet stops showing the widget at once. Answers already given stay."""
    with transaction.atomic():
        audit.record("site.delete", obj=site, changes=_described(site))
        site.delete()
