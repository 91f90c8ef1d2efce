"""capture_rps: one-click answers per second through gunicorn (4 workers) + Django + PostgreSQL, with
capture_floor_rps (a bare WSGI function doing only the same database work) measured in the same run.

Each server gets a short warm-up first (every worker booted, connections open, statements prepared), and
each run answers invitations of its own, so every measured answer is a first answer, as in real life.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DB_NAME = "opennps_bench_capture"
DSN = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
# Each run answers its own invitations (first answers, as in real life): a warm-up and a measured run for
# the product, then the same for the floor.
RUNS = {"app_warmup": 5_000, "app": 45_000, "floor_warmup": 5_000, "floor": 55_000}
INVITATIONS = sum(RUNS.values())
CONNECTIONS, THREADS, DURATION, WARMUP = 32, 2, "20s", "3s"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="nps.settings",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL="redis://127.0.0.1:6379/14",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL="http://127.0.0.1",
        DEBUG="false",
        STATIC_MANIFEST="false",
        SECURE_COOKIES="false",
        LOG_LEVEL="ERROR",  # not the readiness probes' 404s
        # The benchmark is one client address: lift the per-IP answer limit.
        ANSWER_RATELIMIT="100000000/m",
        **extra,
    )
    return env


def _manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _prepare(env) -> dict[str, Path]:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "--force", DB_NAME], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    _manage("migrate", "--no-input", "-v", "0", env=env)
    tokens = Path(tempfile.mkdtemp()) / "tokens.txt"
    script = f"""
import django; django.setup()
from tests.bench.seed import seed_invitations
seed_invitations({INVITATIONS}, {str(tokens)!r})
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)
    lines, files, start = tokens.read_text().splitlines(), {}, 0
    for run, count in RUNS.items():
        files[run] = tokens.with_name(f"{run}.txt")
        files[run].write_text("\n".join(lines[start : start + count]) + "\n")
        start += count
    return files


def _serve(app: str, env, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/r/x/1/", timeout=1)  # noqa: S310
        except urllib.error.HTTPError:
            return proc  # a 404 means it is serving
        except OSError:
            time.sleep(0.2)
            continue
        return proc
    proc.kill()
    raise RuntimeError(f"{app} did not start on port {port}")


def _wrk(port: int, tokens: Path, duration: str) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(THREADS),
            "-c",
            str(CONNECTIONS),
            "-d",
            duration,
            "--latency",
            "-s",
            str(HERE / "capture.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env={**os.environ, "TOKENS_FILE": str(tokens), "WRK_THREADS": str(THREADS)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"BENCH (.*)", out)
    if not match:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    return {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}


def _measure(app: str, env, warmup_tokens: Path, tokens: Path) -> dict:
    port = _free_port()
    proc = _serve(app, env, port)
    try:
        # Every worker booted, its pools filled and its statements prepared before the clock runs.
        _wrk(port, warmup_tokens, WARMUP)
        stats = _wrk(port, tokens, DURATION)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    if stats["errors"] or stats["non2xx"]:
        raise RuntimeError(
            f"{app}: {stats['errors']} errors and {stats['non2xx']} non-2xx responses under load"
        )
    stats["answers_per_s"] = stats["requests"] / 2 / (stats["duration_us"] / 1e6)
    return stats


def run() -> list[tuple[str, float, str]]:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is needed for capture_rps (Debian package 'wrk')")
    env = _env()
    tokens = _prepare(env)
    app = _measure("nps.wsgi:application", env, tokens["app_warmup"], tokens["app"])
    floor_env = {**env, "FLOOR_DSN": DSN}
    floor = _measure("tests.bench._floor_app:application", floor_env, tokens["floor_warmup"], tokens["floor"])
    return [
        ("capture_rps", round(app["answers_per_s"], 1), "answers/s"),
        ("capture_p99_ms", round(app["p99_us"] / 1000, 1), "ms"),
        ("capture_floor_rps", round(floor["answers_per_s"], 1), "answers/s"),
        ("capture_floor_p99_ms", round(floor["p99_us"] / 1000, 1), "ms"),
        ("capture_ratio", round(app["answers_per_s"] / floor["answers_per_s"], 3), "(target ≥ 0.5)"),
    ]
