"""Dashboards at 10,000,000 responses: panel and page server times read from the rollups, and the
follow-up panel's figures over cases on about 2% of the answers.

Seeds a dedicated database with set-based SQL (generate_series), once: a later run finds the rows and
reuses them. BENCH_DASH_ROWS runs it smaller (default 10,000,000). The measuring runs in a child process
with its own DATABASE_URL, so nothing here touches the other benchmarks' databases.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("BENCH_DASH_ROWS", 10_000_000))
DB_NAME = "opennps_bench_dash" if ROWS == 10_000_000 else f"opennps_bench_dash_{ROWS}"
CAMPAIGNS = 10
RUNS = 21
NEW_ANSWERS = 2000
PANEL_TARGET_MS, PAGE_TARGET_MS = 50, 300
THEMES_TARGET_MS = 100
BENCH_THEMES = 10  # themes on the bench's comments, one or two per comment

# Weighted by repetition; a contact's attributes come from digits of its number, so answers get the
# contact's language and plan without a join.
LANGUAGES = ["en"] * 10 + ["es"] * 3 + ["fr"] * 2 + ["de"] * 2 + ["hi", "pt", "ja"]
PLANS = ["free"] * 10 + ["pro"] * 6 + ["team"] * 3 + ["enterprise"]
REGIONS = ["EU"] * 6 + ["US"] * 6 + ["IN"] * 4 + ["APAC"] * 3 + ["LATAM"]
COMMENTS = ["Fast and friendly support", "Too expensive for what it does", "Setup was confusing", "Love it"]
CHANNELS = ["email"] * 7 + ["sms"] * 2 + ["web"]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


def _pick(values: list[str], number: str, step: int) -> str:
    """One of `values` by a digit of `number` (SQL; `%%` because the statements take parameters)."""
    return f"({_array(values)})[1 + (({number}) / {step}) %% {len(values)}]"


def _score(n: str) -> str:
    """A realistic score for answer `n`: better on bigger plans, a little different per campaign."""
    plan = _pick(PLANS, f"{n} %% %(contacts)s", 20)
    return (
        f"least(10, greatest(0, floor(7.2"
        f" + CASE {plan} WHEN 'enterprise' THEN 1.2 WHEN 'pro' THEN 0.6 WHEN 'free' THEN -0.6 ELSE 0 END"
        f" + (({n} / %(contacts)s + {n}) %% {CAMPAIGNS} - 4.5) * 0.15"
        f" + (random() + random() + random() + random() - 2) * 3.4)))"
    )


def run():
    """Run the measuring child against the dedicated database; return its (name, value, unit) lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL="redis://127.0.0.1:6379/13",
    )
    # The child's progress notes go to stderr, straight to the terminal; its figures come back on stdout.
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.dashboards"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if done.returncode:
        raise RuntimeError(f"dashboard benchmark failed after:\n{done.stdout}")
    figures = []
    for line in done.stdout.splitlines():
        name, _, rest = line.partition(": ")
        value, _, unit = rest.partition(" ")
        figures.append((name, value, unit))
    return figures


def _without_indexes(cursor, tables: list[str]):
    """Drop the secondary indexes and constraints of `tables`; return the statements that restore them."""
    restore = []
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
            [table],
        )
        for name, definition, kind in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            # Foreign keys come back NOT VALID: the generated rows are consistent by construction.
            suffix = " NOT VALID" if kind == "f" else ""
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}{suffix}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%_pkey'",
            [table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            restore.append(definition)
    return restore


def seed(rows: int) -> None:
    """10 campaigns, 2 years of answers, contacts with plan/region/signup_date; one invitation per answer
    plus a quarter more left unanswered."""
    from django.db import connection, transaction
    from django.utils import timezone

    from surveys.models import Brand, Campaign

    contacts = max(rows // 10, 100)
    unanswered = rows // 4
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(
            "TRUNCATE responses_answer, surveys_invitation, surveys_contact, surveys_campaign, surveys_brand,"
            " responses_theme, dashboards_dailyrollup, dashboards_segmentrollup, dashboards_themerollup,"
            " dashboards_rollupstate RESTART IDENTITY CASCADE"
        )
        brand = Brand.objects.create(
            name="Bench", company_name="Bench Co", sender_name="Bench", sender_email="bench@example.com"
        )
        ids = [
            Campaign.objects.create(
                name=f"Campaign {n + 1}", brand=brand, channels=[CHANNELS[n]], status="running"
            ).pk
            for n in range(CAMPAIGNS)
        ]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events before ALTER TABLE
        restore = _without_indexes(cursor, ["surveys_contact", "surveys_invitation", "responses_answer"])
        now = timezone.now()
        cursor.execute(
            f"""
            INSERT INTO surveys_contact (id, email, name, language, time_zone, properties, created_at, updated_at)
            SELECT c + 1, 'customer' || c || '@example.com', 'Customer ' || c, {_pick(LANGUAGES, "c", 1)}, '',
                   jsonb_build_object('plan', {_pick(PLANS, "c", 20)}, 'region', {_pick(REGIONS, "c", 400)},
                                      'signup_date', (date '2019-01-01' + (c %% 2000))::text),
                   %(now)s, %(now)s
            FROM generate_series(0, %(contacts)s - 1) c
            """,  # noqa: S608 - built from this module's constants
            {"contacts": contacts, "now": now},
        )
        campaign = f"(ARRAY{ids})[1 + (g / %(contacts)s + g) %% {CAMPAIGNS}]"
        channel = f"({_array(CHANNELS)})[1 + (g / %(contacts)s + g) %% {CAMPAIGNS}]"
        # Invitation g goes to contact g mod C; answers 1…rows answer invitations 1…rows.
        cursor.execute(
            f"""
            INSERT INTO surveys_invitation (id, campaign_id, contact_id, channel, round, token, state, language,
                texts, scheduled_for, state_changed_at, sent_at, attempts, provider_message_id, error, created_at)
            SELECT g, {campaign}, g %% %(contacts)s + 1, {channel}, g / %(contacts)s + 1, md5(g::text), 'sent',
                   {_pick(LANGUAGES, "g %% %(contacts)s", 1)}, '{{}}', sent, sent, sent, 1, '', '', sent
            FROM (SELECT g, %(now)s - random() * interval '730 days' AS sent
                  FROM generate_series(1, %(total)s) g) s
            """,  # noqa: S608
            {"contacts": contacts, "total": rows + unanswered, "now": now},
        )
        cursor.execute(
            f"""
            INSERT INTO responses_answer (invitation_id, campaign_id, contact_id, channel, score, comment,
                language, answered_at, updated_at, notes, suspected_scanner)
            SELECT i.id, i.campaign_id, i.contact_id, i.channel, {_score("i.id")},
                   CASE WHEN random() < 0.08 THEN ({_array(COMMENTS)})[1 + i.id %% 4] ELSE '' END,
                   i.language, a.at, a.at, '', false
            FROM surveys_invitation i
            CROSS JOIN LATERAL (SELECT least(%(now)s, i.sent_at + random() * interval '3 days') AS at) a
            WHERE i.id <= %(rows)s
            """,  # noqa: S608
            {"contacts": contacts, "rows": rows, "now": now},
        )
        for statement in restore:
            cursor.execute(statement)
        for table in ("surveys_contact", "surveys_invitation", "responses_answer"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_contact, surveys_invitation, responses_answer")


# Cases open on about 2% of the answers: a twelfth of the detractors (a quarter of the answers or so).
CASE_EVERY_NTH_DETRACTOR = 12


def seed_cases() -> int:
    """Cases on a twelfth of the detractors, as the services leave them: most answered within two days,
    older ones mostly resolved, some left open past their due time. Returns how many."""
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("TRUNCATE responses_case RESTART IDENTITY CASCADE")
        cursor.execute(
            """
            INSERT INTO responses_case (answer_id, campaign_id, contact_id, score, "group", status, priority,
                opened_at, due_at, updated_at, first_response_at, closed_at)
            SELECT id, campaign_id, contact_id, score, 'detractor',
                   CASE WHEN old AND r < 0.85 THEN 'resolved' WHEN r < 0.6 THEN 'in_progress' ELSE 'new' END,
                   'normal', answered_at, answered_at + interval '48 hours', %(now)s,
                   CASE WHEN r < 0.8 THEN answered_at + r * interval '60 hours' END,
                   CASE WHEN old AND r < 0.85 THEN answered_at + interval '1 hour' + r * interval '5 days' END
            FROM (SELECT id, campaign_id, contact_id, score, answered_at, random() AS r,
                         answered_at < %(now)s - interval '7 days' AS old
                  FROM responses_answer WHERE score <= 6 AND id %% %(nth)s = 0) a
            """,
            {"now": timezone.now(), "nth": CASE_EVERY_NTH_DETRACTOR},
        )
        count = cursor.rowcount
    record_next_answers()
    return count


def record_next_answers() -> None:
    """Each case's re-survey, as the answer fan-out keeps it: the contact's first answer after the case."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            """
            UPDATE responses_case c SET (next_score, next_answered_at) = (
                SELECT a.score, a.answered_at FROM responses_answer a
                WHERE a.contact_id = c.contact_id AND a.answered_at > c.opened_at AND a.id <> c.answer_id
                ORDER BY a.answered_at, a.id LIMIT 1)
            WHERE c.contact_id IS NOT NULL
            """
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE responses_case")


def seed_themes() -> int:
    """Ten themes on the bench's comments with one INSERT … SELECT: a theme per commented answer from a hash
    of its id, and a second one on a third of them; returns how many rows."""
    from django.db import connection, transaction

    from responses.models import Theme

    ids = [
        Theme.objects.create(name=f"Bench theme {n + 1}", label=f"bench {n + 1}").pk
        for n in range(BENCH_THEMES)
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(
            f"""
            INSERT INTO responses_answertheme (answer_id, theme_id, source, weight, created_at)
            SELECT a.id, (ARRAY{ids})[1 + t.k], 'auto', 1.0, now()
            FROM responses_answer a
            CROSS JOIN LATERAL (
                SELECT ((a.id * 2654435761) % 4294967296) % {BENCH_THEMES} AS k
                UNION
                SELECT ((a.id * 40503) % 65536) % {BENCH_THEMES} WHERE a.id % 3 = 0
            ) t
            WHERE a.comment <> ''
            """  # noqa: S608 - built from this module's constants
        )
        rows = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE responses_answertheme")
    return rows


def _median_ms(function, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def measure():
    """Yield each figure's line as soon as it is measured."""
    from datetime import timedelta

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dashboards import panels, queries, rollups
    from dashboards.filters import Filters, workspace_tz
    from nps.accounts.models import User
    from nps.accounts.roles import Role
    from responses.models import Answer
    from surveys.models import Campaign

    if Answer.objects.count() != ROWS:
        print(f"dashboards: seeding {ROWS:,} answers (a few minutes)…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        seed(ROWS)
        yield f"dash_seed_s: {time.perf_counter() - started:.1f} s"
    from responses.models import AnswerTheme

    if not AnswerTheme.objects.exists():
        print("dashboards: tagging the comments with themes…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        tagged = seed_themes()
        yield f"dash_theme_seed_s: {time.perf_counter() - started:.1f} s ({tagged:,} theme rows)"
    print("dashboards: rebuilding the rollups…", file=sys.stderr, flush=True)
    started = time.perf_counter()
    rollups.rebuild()
    yield f"dash_rebuild_s: {time.perf_counter() - started:.1f} s"

    from dashboards.followup import loop_figures
    from responses.models import Case

    if not Case.objects.exists():
        print("dashboards: opening cases on 2% of the answers…", file=sys.stderr, flush=True)
        started = time.perf_counter()
        cases = seed_cases()
        yield f"dash_case_seed_s: {time.perf_counter() - started:.1f} s ({cases:,} cases)"
    elif not Case.objects.filter(next_answered_at__isnull=False).exists():
        record_next_answers()  # cases seeded before the re-survey was kept on them

    campaign = Campaign.objects.order_by("pk").first()
    today = timezone.now().astimezone(workspace_tz()).date()
    everything = Filters()
    last_90 = Filters(start=today - timedelta(days=89), end=today, campaign_ids=(campaign.pk,))
    two_years = Filters(start=today - timedelta(days=729), end=today, campaign_ids=(campaign.pk,))
    figures = {
        "dash_nps_all_ms": lambda: queries.totals(everything),
        "dash_campaign_90d_ms": lambda: queries.totals(last_90),
        "dash_trend_weekly_2y_ms": lambda: queries.trend(two_years, "week"),
        "dash_segment_plan_ms": lambda: queries.segments(everything, "plan"),
        # Segments over time as the dashboard draws it (query, chart and table): a line per region,
        # weekly over the last 12 months of every campaign.
        "dash_trend_segment_ms": lambda: panels.segment_trend(
            Filters(start=today - timedelta(days=364), end=today), by="region", grain="week"
        ),
        # The follow-up panel as the dashboard opens (90 days, every campaign), and over all time.
        "dash_followup_ms": lambda: loop_figures(Filters(start=today - timedelta(days=89), end=today)),
        "dash_followup_all_ms": lambda: loop_figures(everything),
    }
    cases = Case.objects.count()
    for name, function in figures.items():
        if name.startswith("dash_followup"):
            # Read from the cases (exact medians), not the rollups; the issue set no target.
            yield f"{name}: {_median_ms(function)} ms (no target; read from {cases:,} cases)"
        else:
            yield f"{name}: {_median_ms(function)} ms (target < {PANEL_TARGET_MS} ms)"

    # The Themes panel as the dashboard draws it (the headline it compares with, every theme's counts and
    # impact, the weekly trend and its chart), over the last 12 months of every campaign, from the rollups.
    twelve_months = Filters(start=today - timedelta(days=364), end=today)

    def themes_panel():
        panels.themes_panel(twelve_months, queries.totals(twelve_months).split, grain="week", today=today)

    yield f"dash_themes_ms: {_median_ms(themes_panel)} ms (target < {THEMES_TARGET_MS} ms)"

    user = User.objects.filter(email="bench-viewer@example.com").first() or User.objects.create_user(
        email="bench-viewer@example.com", password="bench-password-2026", role=Role.VIEWER, name="Bench"
    )
    client = Client()
    client.force_login(user)
    url = f"/?period=90d&campaign={campaign.pk}&by=plan"
    client.get(url)  # warm up templates and the connection

    def page():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    yield f"dash_page_campaign_ms: {_median_ms(page)} ms (target < {PAGE_TARGET_MS} ms)"

    # New answers appear: a batch arrives in a campaign of its own, the refresh makes it visible (the
    # headline over everything moves by exactly that many), and deleting the campaign takes it away again.
    live = Campaign.objects.create(name="Live", brand=campaign.brand, channels=["link"], status="running")
    before = queries.totals(everything).split.total
    rollups.refresh()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO responses_answer (campaign_id, contact_id, channel, score, comment, language,
                answered_at, updated_at, notes, suspected_scanner)
            SELECT %(campaign)s, NULL, 'link', (g %% 11), '', 'en', now(), now(), '', false
            FROM generate_series(1, %(n)s) g
            """,
            {"campaign": live.pk, "n": NEW_ANSWERS},
        )
    started = time.perf_counter()
    rollups.refresh()
    yield f"dash_refresh_ms: {(time.perf_counter() - started) * 1000:.1f} ms ({NEW_ANSWERS} new answers)"
    after = queries.totals(everything).split.total
    if after - before != NEW_ANSWERS:
        raise RuntimeError(f"refresh added {after - before} answers, expected {NEW_ANSWERS}")
    live.delete()


def main() -> int:
    import django

    from tests.bench.__main__ import prepare_database

    django.setup()
    prepare_database(os.environ["DATABASE_URL"])  # created when missing, then migrated
    for line in measure():
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
