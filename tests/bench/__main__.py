"""Run every benchmark module of tests.bench (or those named on the command line)."""

import importlib
import os
import pkgutil
import sys
import tempfile
import traceback

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/opennps_bench"


def prepare_database(url: str) -> None:
    """Create the benchmark database when it is missing, then migrate it."""
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def format_line(line) -> str:
    """A line as given, or a (name, value, unit) tuple as `name: value unit`."""
    if isinstance(line, tuple):
        name, value, unit = line
        return f"{name}: {value} {unit}".rstrip()
    return str(line)


def main(argv: list[str]) -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="opennps-bench-"))

    import django

    django.setup()
    prepare_database(url)

    package = importlib.import_module("tests.bench")
    names = argv or sorted(info.name for info in pkgutil.iter_modules(package.__path__))
    failed = False
    for name in names:
        if name.startswith("_"):
            continue
        module = importlib.import_module(f"tests.bench.{name}")
        run = getattr(module, "run", None)
        if not callable(run):
            continue
        try:
            lines = run()
            for line in lines or ():
                print(format_line(line), flush=True)
        except Exception:
            failed = True
            print(f"{name}: error", flush=True)
            traceback.print_exc()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
