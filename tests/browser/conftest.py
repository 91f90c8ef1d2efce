"""Browser tests: pytest-playwright driving Debian's Chromium against Django's live_server."""

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.strict_skips import missing_service

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses that unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        missing_service(f"Chromium is required for the browser tests and was not found at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            # Shared memory in /tmp, not /dev/shm: a container's /dev/shm is often 64 MB, too little for
            # the two Chromiums of `make test`'s two processes.
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Mark every test of this folder at collection, before `-m browser` / `-m "not browser"` select."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    in_flight = set()
    page.on("request", lambda request: in_flight.add(request))
    # A response's headers mean the view has run (a body nobody reads may never "finish").
    page.on("response", lambda response: in_flight.discard(response.request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    yield page
    # A test may end while the page still has a request in flight (the answer page records the score in the
    # background): let the live server answer it while the test's database is still open, or its thread meets
    # the closed database after the test and the error lands in whichever test runs next.
    deadline = time.monotonic() + 5
    waited = False
    while in_flight and time.monotonic() < deadline and not page.is_closed():
        page.wait_for_timeout(25)
        waited = True
    if waited and not page.is_closed():
        page.wait_for_timeout(100)  # the server thread's last step after its response: closing the request
