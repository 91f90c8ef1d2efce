"""`pytest -m browser` runs the browser tests and `-m "not browser"` the rest: the marker is set at collection."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def collected(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}


def test_the_browser_marker_selects_the_browser_tests_and_only_them():
    files = collected("-m", "browser", "tests/browser", "tests/test_metrics.py")
    expected = {f"tests/browser/{path.name}" for path in (ROOT / "tests" / "browser").glob("test_*.py")}
    assert files == expected
    assert collected("-m", "not browser", "tests/browser", "tests/test_metrics.py") == {
        "tests/test_metrics.py"
    }
