"""The widget's script as host pages load it: /w/widget.js and /w/<site key>/delighted.js."""

import gzip
from pathlib import Path

import brotli
import pytest
from django.contrib.staticfiles import finders

from responses.widget_assets import accepted_encodings, negotiate
from tests.bench.widget import BUDGET_BYTES

SOURCE = Path(finders.find("widget/widget.js")).read_bytes()
URLS = ["/w/widget.js", "/w/site-key-123/delighted.js"]


@pytest.mark.parametrize("url", URLS)
def test_script_is_served_gzipped_with_public_caching_to_any_origin(client, url):
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate", "Origin": "https://shop.example"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == SOURCE
    assert response["Content-Length"] == str(len(response.content))
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["ETag"].startswith('"') and response["ETag"].endswith('-gzip"')
    assert "Accept-Encoding" in response["Vary"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"
    # A public file: no session, no cookie, nothing that would keep a shared cache from storing it.
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_everything_loaded_before_the_card_is_at_most_10_kb_gzipped(client):
    """The script carries its own styles: it is the one file the card needs (`widget_gzip_bytes`)."""
    response = client.get("/w/widget.js", headers={"Accept-Encoding": "gzip"})
    assert len(response.content) <= BUDGET_BYTES == 10_240, f"{len(response.content)} bytes gzipped"
    assert b"@import" not in SOURCE and b"<link" not in SOURCE  # nothing else fetched for the card


def test_brotli_is_preferred_when_the_browser_accepts_it(client):
    response = client.get("/w/widget.js", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(response.content) == SOURCE
    assert response["ETag"].endswith('-br"')


def test_without_accept_encoding_the_plain_file_is_sent(client):
    response = client.get("/w/widget.js")
    assert response.content == SOURCE
    assert not response.has_header("Content-Encoding")
    assert "-" not in response["ETag"]


def test_unknown_site_key_still_gets_the_same_script(client):
    """The key is read by the script from its own URL; the API answers 404 for a key no site has."""
    known = client.get("/w/widget.js", headers={"Accept-Encoding": "gzip"})
    unknown = client.get("/w/no-such-site/delighted.js", headers={"Accept-Encoding": "gzip"})
    assert unknown.status_code == 200
    assert (unknown.content, unknown["ETag"]) == (known.content, known["ETag"])


def test_revalidation_with_the_etag_gets_304_without_a_body(client):
    etag = client.get("/w/widget.js", headers={"Accept-Encoding": "gzip"})["ETag"]
    response = client.get("/w/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=3600"
    # A weak comparison (a proxy may weaken the tag), and a list of tags, match too.
    weak = client.get("/w/widget.js", headers={"Accept-Encoding": "gzip", "If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304
    # Another representation's tag does not: the browser would get gzip bytes for a brotli body.
    other = client.get("/w/widget.js", headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert other.status_code == 200


def test_head_is_answered_and_other_methods_are_refused(client):
    head = client.head("/w/widget.js", headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head["Content-Encoding"] == "gzip"
    assert client.post("/w/widget.js", data="x", content_type="text/plain").status_code == 405
    assert client.delete("/w/k/delighted.js").status_code == 405


def test_other_names_under_a_site_key_are_not_the_script(client):
    assert client.get("/w/site-key/widget.js").status_code == 404
    assert client.get("/w/a/b/delighted.js").status_code == 404


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("", ""),
        ("identity", ""),
        ("gzip", "gzip"),
        ("GZIP;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("br;q=0.0, gzip;q=0", ""),
        ("br;q=abc, gzip", "gzip"),
        ("*", "br"),
        ("br;q=0, *", "gzip"),
        ("gzip, *;q=0", "gzip"),
        ("nan", ""),
        ("deflate, br;q=0.1", "br"),
        ("\x00, ;;;, =, q=", ""),
    ],
)
def test_content_coding_negotiation(header, chosen):
    assert negotiate(header) == chosen


def test_accepted_encodings_reads_q_values():
    assert accepted_encodings("gzip;q=1.0, br; q=0 , zstd;q=7, x;q=nan") == {
        "gzip": 1.0,
        "br": 0.0,
        "zstd": 1.0,
        "x": 0.0,
    }
