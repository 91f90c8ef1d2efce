"""Browser tests: pytest-playwright driving Debian's Chromium against Django's live_server."""

import os
import shutil
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
    return page
