"""A skipped test fails the run: the suite needs every service, and a skip would hide a missing one.

Both kinds of skip count: a test skipped while it runs (`pytest.skip`, a skip mark, `importorskip` in a
test) and a whole module skipped while it is collected (`pytest.skip(allow_module_level=True)`, or
`importorskip` at the top of a module), which never reaches the test hooks.
"""

import os

import pytest


def _reason(report) -> str:
    return report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"Skipped tests fail the run ({_reason(report)}). Start the missing service or fix the test."
        )
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if report.skipped:
        report.outcome = "failed"
        report.longrepr = (
            f"Skipped modules fail the run ({_reason(report)}). Install what is missing or fix the module."
        )
    return report


def missing_service(message: str):
    """Stop the run for a missing service (Redis, Chromium): it fails, it never skips.

    In one process, pytest.exit ends the run at once with the message. In a pytest-xdist worker (`make test`)
    pytest.exit would end only that worker, and xdist reports that as an INTERNALERROR naming a test and not
    the message; there the test fails with the message instead (a session fixture's failure is repeated for
    every test that uses it), and the run fails.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.fail(message, pytrace=False)
    pytest.exit(message, returncode=3)
