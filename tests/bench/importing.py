"""import_1m: 1,000,000 contacts from a CSV file through the real import code (check + COPY path)."""

import os
import random
import tempfile
import time
from pathlib import Path

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 1_000_000))
TARGET_S = 60


def write_csv(path: Path, rows: int) -> None:
    """email, name, a phone on a third of the rows, and three properties."""
    rng = random.Random(42)  # noqa: S311
    first = ["Asha", "Ravi", "Meera", "Arjun", "José", "Zoë", "Chen", "Fatima", "Lars", "Aiko"]
    last = ["Rao", "Iyer", "Sharma", "García", "Müller", "Wang", "Khan", "Nilsson", "Sato", "Das"]
    plans, regions = ["free", "pro", "team", "enterprise"], ["EU", "US", "IN", "APAC"]
    with open(path, "w", encoding="utf-8", newline="") as file:
        write = file.write
        write("email,name,phone,plan,region,signup_date\r\n")
        for i in range(rows):
            phone = f"+91 9{i:09d}" if i % 3 == 0 else ""
            signup = f"20{rng.randint(19, 25)}-0{rng.randint(1, 9)}-1{i % 10}"
            write(
                f"User.{i}@Example{i % 97}.com,{rng.choice(first)} {rng.choice(last)},{phone},"
                f"{rng.choice(plans)},{rng.choice(regions)},{signup}\r\n"
            )


def run():
    from django.conf import settings
    from django.db import connection

    from nps.accounts.models import User
    from surveys.contact_import import check_rows, load_rows, suggest_mapping
    from surveys.csvfile import inspect_upload
    from surveys.models import Contact, ContactImport

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE surveys_contact, surveys_contactimport CASCADE")
    imports = Path(settings.MEDIA_ROOT) / "imports"
    imports.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=imports, suffix=".csv", delete=False) as handle:
        path = Path(handle.name)
    try:
        write_csv(path, ROWS)
        user = User.objects.filter(role="admin").first()
        started = time.perf_counter()
        found = inspect_upload(path)
        contact_import = ContactImport.objects.create(
            file=os.path.relpath(path, settings.MEDIA_ROOT),
            original_name="bench.csv",
            encoding=found.encoding,
            delimiter=found.delimiter,
            headers=found.headers,
            mapping=suggest_mapping(found.headers),
            status=ContactImport.Status.CHECKING,
            created_by=user,
        )
        check_rows(contact_import)
        checked = time.perf_counter()
        contact_import.status = ContactImport.Status.IMPORTING
        contact_import.save()
        contact_import = load_rows(contact_import)
        elapsed = time.perf_counter() - started
        loaded = Contact.objects.count()
        if contact_import.invalid_rows or loaded != ROWS:
            raise RuntimeError(f"expected {ROWS} contacts, got {loaded} ({contact_import.errors[:3]})")
    finally:
        path.unlink(missing_ok=True)
    suffix = "1m" if ROWS == 1_000_000 else str(ROWS)
    return [
        f"import_{suffix}_s: {elapsed:.1f} s",
        f"import_{suffix}_rows_per_s: {ROWS / elapsed:.0f} rows/s",
        f"import_{suffix}_check_s: {checked - started:.1f} s",
        f"import_{suffix}_load_s: {elapsed - (checked - started):.1f} s",
        f"import_{suffix}_ratio: {TARGET_S / elapsed:.2f} (target {TARGET_S} s)",
    ]
