import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from nps.accounts.roles import Role
from surveys.models import Brand
from tests.factories import make_brand, make_campaign, make_user

pytestmark = pytest.mark.django_db


def image_file(name="logo.png", *, size=(120, 40), fmt="PNG", padding=0):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#4f46e5").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * padding, content_type=f"image/{fmt.lower()}")


def brand_data(**overrides):
    data = {
        "name": "Acme EU",
        "company_name": "Acme",
        "sender_name": "Acme Support",
        "sender_email": "support@acme.example",
        "reply_to": "",
        "accent_color": "#0f766e",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(role=Role.ADMIN))
    return client


def test_admin_creates_brand_with_logo(admin_client):
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": image_file()})
    assert response.status_code == 302
    brand = Brand.objects.get()
    assert brand.company_name == "Acme"
    assert brand.accent_color == "#0f766e"
    assert brand.logo.name.startswith("brands/")
    page = admin_client.get("/brands/")
    assert "Acme EU" in page.text
    assert "support@acme.example" in page.text


def test_uploaded_logo_is_served_to_anyone_and_may_be_cached(admin_client):
    logo = image_file()
    admin_client.post("/brands/new/", {**brand_data(), "logo": logo})
    url = Brand.objects.get().logo.url
    assert url.startswith("/media/brands/")

    response = Client().get(url)  # answer pages and emails show it to people who never sign in
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == (logo.seek(0) or logo.read())
    assert "public" in response["Cache-Control"] and "max-age=2592000" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/media/brands/../imports/contacts.csv", 400),
        ("/media/brands/%2e%2e/imports/contacts.csv", 400),
        ("/media/brands/..%2fimports/contacts.csv", 400),
        ("/media/imports/contacts.csv", 404),
        ("/media/brands/contacts.csv", 404),
    ],
)
def test_the_logo_address_never_serves_an_uploaded_csv(settings, path, status):
    imports = settings.MEDIA_ROOT / "imports"
    imports.mkdir(parents=True)
    (imports / "contacts.csv").write_text("email,name\nasha@example.com,Asha Rao\n")
    (settings.MEDIA_ROOT / "brands").mkdir()
    response = Client().get(path)
    assert response.status_code == status
    assert b"asha@example.com" not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.parametrize("field", ["name", "company_name", "sender_name"])
@pytest.mark.parametrize(
    "value", ["Acme\r\nBcc: everyone@example.com", "Acme\nEU", "Acme\tEU", "Acme\u2028EU"]
)
def test_a_brand_name_with_a_line_break_is_refused_with_a_clear_message(admin_client, field, value):
    response = admin_client.post("/brands/new/", brand_data(**{field: value}))
    assert response.status_code == 400
    assert "Keep this on one line: line breaks, tabs and other control characters" in response.text
    assert not Brand.objects.exists()


def test_admin_edits_brand(admin_client):
    brand = make_brand(name="Old name")
    response = admin_client.post(
        f"/brands/{brand.pk}/", brand_data(name="New name", reply_to="care@acme.example")
    )
    assert response.status_code == 302
    brand.refresh_from_db()
    assert (brand.name, brand.reply_to) == ("New name", "care@acme.example")


def test_edit_page_shows_stored_values(admin_client):
    brand = make_brand(name="Globex", accent_color="#123456")
    response = admin_client.get(f"/brands/{brand.pk}/")
    assert response.status_code == 200
    assert 'value="Globex"' in response.text
    assert 'type="color"' in response.text
    assert 'value="#123456"' in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"accent_color": "red"}, "Use a colour like #4f46e5."),
        ({"sender_email": "not-an-email"}, "Enter a valid email address."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_brand_input_is_refused_with_message(admin_client, overrides, message):
    response = admin_client.post("/brands/new/", brand_data(**overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not Brand.objects.exists()


def test_duplicate_brand_name_is_refused_case_insensitively(admin_client):
    make_brand(name="Acme EU")
    response = admin_client.post("/brands/new/", brand_data(name="acme eu"))
    assert response.status_code == 400
    assert "A brand named “acme eu” already exists." in response.text
    assert Brand.objects.count() == 1


def test_svg_logo_is_refused_because_it_can_carry_script(admin_client):
    svg = SimpleUploadedFile(
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    )
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": svg})
    assert response.status_code == 400
    assert "SVG logos are not accepted because they can carry scripts" in response.text
    assert not Brand.objects.exists()


def test_svg_disguised_as_png_is_refused(admin_client):
    svg = SimpleUploadedFile(
        "logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "image/png"
    )
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": svg})
    assert response.status_code == 400
    assert "SVG logos are not accepted" in response.text


def test_logo_over_one_megabyte_is_refused(admin_client):
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": image_file(padding=1_200_000)})
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.text
    assert not Brand.objects.exists()


def test_logo_too_many_pixels_is_refused(admin_client):
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": image_file(size=(2400, 300))})
    assert response.status_code == 400
    assert "The logo is 2400×300 pixels; the limit is 2000×2000." in response.text


def test_logo_in_other_raster_format_is_refused(admin_client):
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": image_file("logo.bmp", fmt="BMP")})
    assert response.status_code == 400
    assert "upload a PNG, JPEG, WebP or GIF" in response.text
    assert not Brand.objects.exists()


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_web_image_formats_are_accepted(admin_client, fmt):
    response = admin_client.post(
        "/brands/new/", {**brand_data(), "logo": image_file(f"logo.{fmt.lower()}", fmt=fmt)}
    )
    assert response.status_code == 302
    assert Brand.objects.get().logo


def test_not_an_image_is_refused(admin_client):
    junk = SimpleUploadedFile("logo.png", b"this is not an image", "image/png")
    response = admin_client.post("/brands/new/", {**brand_data(), "logo": junk})
    assert response.status_code == 400
    assert "Upload a valid image" in response.text


def test_unused_brand_is_deleted(admin_client):
    brand = make_brand()
    response = admin_client.post(f"/brands/{brand.pk}/delete/")
    assert response.status_code == 302
    assert not Brand.objects.exists()


def test_brand_used_by_campaign_cannot_be_deleted(admin_client):
    brand = make_brand(name="Acme EU")
    make_campaign(brand=brand, name="Quarterly NPS")
    response = admin_client.post(f"/brands/{brand.pk}/delete/")
    assert response.status_code == 400
    assert "Acme EU cannot be deleted: 1 campaign uses it (“Quarterly NPS”)." in response.text
    assert Brand.objects.filter(pk=brand.pk).exists()


def test_delete_needs_post(admin_client):
    brand = make_brand()
    assert admin_client.get(f"/brands/{brand.pk}/delete/").status_code == 405
    assert Brand.objects.exists()


@pytest.mark.parametrize("role", [Role.LEAD, Role.VIEWER])
@pytest.mark.parametrize("method", ["get", "post"])
def test_brands_are_admin_only(client, role, method):
    brand = make_brand(name="Acme EU")
    client.force_login(make_user(role=role))
    for url in ["/brands/", "/brands/new/", f"/brands/{brand.pk}/"]:
        assert getattr(client, method)(url, brand_data(name="Changed")).status_code == 403
    assert client.post(f"/brands/{brand.pk}/delete/").status_code == 403
    assert list(Brand.objects.values_list("name", flat=True)) == ["Acme EU"]


def test_signed_out_visitor_goes_to_login(client):
    response = client.get("/brands/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
