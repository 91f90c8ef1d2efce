"""The on-site widget's script, as host pages load it: /w/widget.js and /w/<site key>/delighted.js.

One hand-written file, static/widget/widget.js, compressed once per process (gzip -9, and brotli) and
served by content negotiation with an ETag and an hour of public caching: a fixed address in customers'
snippets cannot carry a content hash. Both addresses serve the same bytes; the script reads its site key
from its own tag (`data-site`) or from its own URL, so an unknown key still gets the script and the API
answers 404. The script is public and sent without credentials, so any origin may read it.
"""

import gzip
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

import brotli
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from nps.accounts.roles import public

SCRIPT = "widget/widget.js"
MAX_AGE = 3600


@dataclass(frozen=True)
class Asset:
    """One file and its compressed forms, keyed by Content-Encoding ("" for none)."""

    bodies: dict[str, bytes]
    etag: str

    def etag_for(self, encoding: str) -> str:
        # A strong ETag names one representation: each encoding has its own.
        return f'"{self.etag}{"-" + encoding if encoding else ""}"'


@lru_cache(maxsize=4)
def _compress(path: str, mtime_ns: int) -> Asset:
    with open(path, "rb") as file:
        raw = file.read()
    return Asset(
        bodies={
            "br": brotli.compress(raw, quality=11),
            "gzip": gzip.compress(raw, compresslevel=9, mtime=0),
            "": raw,
        },
        etag=hashlib.sha256(raw).hexdigest()[:20],
    )


@lru_cache(maxsize=1)
def _script_path() -> str:
    # The source tree's static/ (STATICFILES_DIRS), else what collectstatic copied to STATIC_ROOT.
    return finders.find(SCRIPT) or os.path.join(settings.STATIC_ROOT, SCRIPT)


def widget_asset() -> Asset:
    """widget.js and its compressed forms, built once per process (again after an edit under DEBUG)."""
    path = _script_path()
    return _compress(path, os.stat(path).st_mtime_ns if settings.DEBUG else 0)


def accepted_encodings(header: str) -> dict[str, float]:
    """The codings named in an Accept-Encoding header and their q-values (RFC 9110 12.5.3)."""
    codings = {}
    for item in header.split(","):
        name, _, params = item.partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                quality = 1.0 if q > 1 else q if q > 0 else 0.0  # NaN: refused
        if name := name.strip().lower():
            codings[name] = quality
    return codings


def negotiate(header: str) -> str:
    """The coding to send: brotli, then gzip (unless refused, by name or by "*;q=0"), else none."""
    codings = accepted_encodings(header)
    for encoding in ("br", "gzip"):
        if codings.get(encoding, codings.get("*", 0.0)) > 0:
            return encoding
    return ""


def _script_response(request) -> HttpResponse:
    asset = widget_asset()
    encoding = negotiate(request.headers.get("Accept-Encoding", ""))
    etag = asset.etag_for(encoding)
    matches = request.headers.get("If-None-Match", "")
    if etag in {tag.strip().removeprefix("W/") for tag in matches.split(",")}:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(asset.bodies[encoding], content_type="application/javascript; charset=utf-8")
        response["Content-Length"] = str(len(asset.bodies[encoding]))
        if encoding:
            response["Content-Encoding"] = encoding
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    # Read by pages of any origin, without credentials; loadable by pages that require CORP.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@public
@require_safe
def widget_js(request):
    """The widget, as the snippet loads it: `<script async src=".../w/widget.js" data-site="KEY">`."""
    return _script_response(request)


@public
@require_safe
def delighted_js(request, site_key: str):
    """The same script where Delighted's loader looks for its library: `<base>/<key>/delighted.js`."""
    return _script_response(request)
