"""CI must fail when a test is skipped, e.g. for a missing service, not pass quietly."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_pytest(tmp_path, source: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_sample.py").write_text(source)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:django"]
        + ["-p", "tests.strict_skips", str(tmp_path / "test_sample.py")],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_skipped_test_fails_the_run_and_says_why(tmp_path):
    result = run_pytest(
        tmp_path,
        "import pytest\n\ndef test_needs_service():\n    pytest.skip('Redis is not running')\n",
    )
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "Skipped tests fail the run (Skipped: Redis is not running)" in result.stdout


def test_a_run_without_skips_passes(tmp_path):
    result = run_pytest(tmp_path, "def test_fine():\n    assert True\n")
    assert result.returncode == 0, result.stdout


def test_a_module_skipped_while_collected_fails_the_run(tmp_path):
    result = run_pytest(
        tmp_path,
        "import pytest\n\npytest.skip('no Redis here', allow_module_level=True)\n\n"
        "def test_never_collected():\n    assert True\n",
    )
    assert result.returncode != 0, result.stdout
    assert "Skipped modules fail the run (Skipped: no Redis here)" in result.stdout


def test_a_missing_module_under_importorskip_fails_the_run(tmp_path):
    result = run_pytest(
        tmp_path,
        "import pytest\n\nnothing = pytest.importorskip('a_module_that_is_not_installed')\n\n"
        "def test_never_collected():\n    assert True\n",
    )
    assert result.returncode != 0, result.stdout
    assert (
        "Skipped modules fail the run (Skipped: could not import 'a_module_that_is_not_installed'"
        in result.stdout
    )


def test_importorskip_inside_a_test_fails_it(tmp_path):
    result = run_pytest(
        tmp_path,
        "import pytest\n\ndef test_uses_it():\n    pytest.importorskip('a_module_that_is_not_installed')\n",
    )
    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
