"""The public link's QR codes (PNG, SVG), its printable poster and the staff preview panel.

No QR decoder is installed, so the codes are read back module by module (the PNG's pixels, the SVG's
path) and compared with the code of the campaign's link: the same matrix is the same link.
"""

import io
import re

import pytest
import segno
from django.conf import settings
from PIL import Image

from nps.accounts.roles import Role
from surveys import qr
from tests.factories import make_campaign, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    return make_campaign(name="Store feedback: Pune", channels=["link"], status="running")


@pytest.fixture
def lead_client(client):
    client.force_login(make_user(role=Role.LEAD))
    return client


def expected_matrix(url):
    code = segno.make(url, error="m")
    return [[bool(module) for module in row] for row in code.matrix], code


def png_matrix(data, scale, border=4):
    image = Image.open(io.BytesIO(data)).convert("L")
    width, height = image.size
    assert width == height and width % scale == 0
    modules = width // scale - 2 * border
    pixel = image.load()
    return [
        [
            pixel[(border + x) * scale + scale // 2, (border + y) * scale + scale // 2] < 128
            for x in range(modules)
        ]
        for y in range(modules)
    ]


def svg_matrix(svg, size):
    """The dark modules drawn by segno's one path: "M4 4.5h7m1 0h1…" (moves, then horizontal runs)."""
    d = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    matrix = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", d):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for column in range(int(x), int(x + float(a))):
                matrix[int(y)][column] = True
            x += float(a)
    border = 4
    return [row[border : size - border] for row in matrix[border : size - border]]


def test_link_url_is_the_public_link(campaign):
    assert qr.link_url(campaign) == f"{settings.PUBLIC_BASE_URL}/l/{campaign.public_token}/"


def test_png_encodes_the_public_link(lead_client, campaign):
    response = lead_client.get(f"/campaigns/{campaign.pk}/qr.png?scale=6")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="store-feedback-pune-qr.png"'
    matrix, code = expected_matrix(qr.link_url(campaign))
    assert png_matrix(response.content, 6) == matrix
    assert Image.open(io.BytesIO(response.content)).size == ((code.symbol_size(scale=6)[0],) * 2)


def test_svg_encodes_the_public_link(lead_client, campaign):
    response = lead_client.get(f"/campaigns/{campaign.pk}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="store-feedback-pune-qr.svg"'
    svg = response.content.decode()
    assert svg.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "<script" not in svg
    matrix, code = expected_matrix(qr.link_url(campaign))
    assert svg_matrix(svg, code.symbol_size(scale=1)[0]) == matrix


def test_a_different_link_is_a_different_code(lead_client, campaign):
    other = make_campaign(channels=["link"])
    png = lead_client.get(f"/campaigns/{campaign.pk}/qr.png?scale=4").content
    assert png_matrix(png, 4) != expected_matrix(qr.link_url(other))[0]


@pytest.mark.parametrize("scale", ["0", "41", "-3", "²", "٣", "9" * 60, "1.5", "", "4\x00"])
def test_bad_scale_is_400(lead_client, campaign, scale):
    for kind in ("png", "svg"):
        response = lead_client.get(f"/campaigns/{campaign.pk}/qr.{kind}", {"scale": scale})
        assert response.status_code == 400
        assert "scale must be a whole number from 1 to 40" in response.text


def test_largest_scale_is_allowed(lead_client, campaign):
    response = lead_client.get(f"/campaigns/{campaign.pk}/qr.png?scale=40")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size[0] <= 40 * 41


def test_unknown_campaign_is_404(lead_client):
    for url in ("/campaigns/999999/qr.png", "/campaigns/999999/qr.svg", "/campaigns/999999/poster/"):
        assert lead_client.get(url).status_code == 404
    assert lead_client.get("/campaigns/99999999999999999999999/qr.png").status_code == 404


@pytest.mark.parametrize("suffix", ["qr.png", "qr.svg", "poster/"])
def test_roles(client, campaign, suffix):
    url = f"/campaigns/{campaign.pk}/{suffix}"
    assert client.get(url).status_code == 302  # signed out: to the login page
    client.force_login(make_user(role=Role.VIEWER))
    assert client.get(url).status_code == 403
    client.force_login(make_user(role=Role.ADMIN))
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_poster_a4_has_brand_question_code_and_link(lead_client, campaign):
    campaign.brand.company_name = "Chai Point"
    campaign.brand.accent_color = "#B45309"
    campaign.brand.save()
    response = lead_client.get(f"/campaigns/{campaign.pk}/poster/?size=a4")
    assert response.status_code == 200
    page = response.text
    assert "Chai Point" in page
    assert "How likely are you to recommend Chai Point to a friend or colleague?" in page
    assert "Scan to answer" in page
    readable = qr.link_url(campaign).split("://", 1)[1]
    assert readable in page
    assert '<svg viewBox="0 0 ' in page  # the code itself, inline
    inline = re.search(r"<svg viewBox.*?</svg>", page, re.S).group(0)
    matrix, code = expected_matrix(qr.link_url(campaign))
    assert svg_matrix(inline, code.symbol_size(scale=1)[0]) == matrix
    assert "/static/css/poster.css" in page and "poster-a5.css" not in page
    assert 'id="print"' in page and "/static/js/poster.js" in page
    assert ":root{--accent:#b45309}" in page
    assert "'sha256-" in response["Content-Security-Policy"]


def test_poster_a5_and_bad_sizes(lead_client, campaign):
    a5 = lead_client.get(f"/campaigns/{campaign.pk}/poster/?size=a5")
    assert a5.status_code == 200 and "/static/css/poster-a5.css" in a5.text
    for size in ("a3", "A4", "", "a4\x00"):
        assert lead_client.get(f"/campaigns/{campaign.pk}/poster/", {"size": size}).status_code == 400


def test_poster_in_the_default_language_or_a_chosen_one(lead_client, campaign):
    english = lead_client.get(f"/campaigns/{campaign.pk}/poster/", HTTP_ACCEPT_LANGUAGE="de").text
    assert '<html lang="en" dir="ltr">' in english and "Scan to answer" in english
    arabic = lead_client.get(f"/campaigns/{campaign.pk}/poster/?lang=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "Scan to answer" not in arabic and "How likely" not in arabic
    hindi = lead_client.get(f"/campaigns/{campaign.pk}/poster/?lang=hi").text
    assert "Scan to answer" not in hindi
    odd = lead_client.get(f"/campaigns/{campaign.pk}/poster/", {"lang": "xx\x00"})
    assert odd.status_code == 200 and '<html lang="en"' in odd.text


def test_preview_panel_shows_link_code_and_buttons(client, campaign):
    client.force_login(make_user(role=Role.LEAD))
    page = client.get(f"/campaigns/{campaign.pk}/preview/").text
    assert qr.link_url(campaign) in page
    assert 'data-copy="public-link-' in page and "/static/js/copy.js" in page
    assert f"/campaigns/{campaign.pk}/qr.png?scale=20" in page
    assert f"/campaigns/{campaign.pk}/qr.svg" in page
    assert f"/campaigns/{campaign.pk}/poster/?size=a4" in page
    assert '<svg viewBox="0 0' in page and "<title>QR code of the public link</title>" in page
    assert "shows “This survey is closed”" not in page


def test_preview_panel_warns_when_the_link_is_closed(client):
    campaign = make_campaign(channels=["link"], status="draft")
    client.force_login(make_user(role=Role.LEAD))
    assert "shows “This survey is closed”" in client.get(f"/campaigns/{campaign.pk}/preview/").text


@pytest.mark.parametrize("language", ["hi", "ta", "bn", "es", "pt", "fr", "de", "ar", "ja", "zh-hans"])
def test_poster_says_scan_to_answer_in_every_language(lead_client, campaign, language):
    page = lead_client.get(f"/campaigns/{campaign.pk}/poster/?lang={language}").text
    assert f'<html lang="{language}"' in page
    assert "Scan to answer" not in page and "Or open this address" not in page
