"""widget_gzip_bytes: what a host page downloads before the on-site widget's card appears (budget 10 KB).

The card needs one file: the script, which carries its own styles (a constructable stylesheet). The
survey decision that follows is data, a few hundred bytes of JSON. Measured as served: the bodies the
view sends (gzip -9, brotli 11), built by responses/widget_assets.py.
"""

BUDGET_BYTES = 10 * 1024


def run():
    from django.test import Client

    client = Client()
    sizes = {}
    for encoding in ("gzip", "br"):
        response = client.get("/w/widget.js", headers={"Accept-Encoding": encoding})
        assert response.status_code == 200 and response["Content-Encoding"] == encoding
        sizes[encoding] = len(response.content)
    yield ("widget_gzip_bytes", sizes["gzip"], "bytes")
    yield ("widget_brotli_bytes", sizes["br"], "bytes")
