import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from .helpers import make_sent_invitation

pytestmark = pytest.mark.django_db
BUDGET = 30 * 1024


def subresources(html: str) -> list[str]:
    """Same-origin stylesheets, scripts and images the page makes the browser fetch."""
    return re.findall(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src|img[^>]+src)="(/[^"]+)"', html)


@pytest.mark.parametrize("language", ["en", "ta", "ar"])
def test_score_page_with_its_css_and_js_stays_under_30_kb(client, language):
    from tests.factories import make_contact

    invitation = make_sent_invitation(contact=make_contact(language=language))
    response = client.get(invitation.answer_path(9))
    total = len(response.content)
    urls = subresources(response.text)
    assert {Path(url).name for url in urls} == {"answer.css", "answer.js"}
    # An empty inline icon: browsers do not fetch /favicon.ico on a slow network either.
    assert '<link rel="icon" href="data:,">' in response.text
    for url in urls:
        path = finders.find(url.removeprefix("/static/"))
        total += Path(path).stat().st_size
    assert total < BUDGET, f"{total} bytes"
