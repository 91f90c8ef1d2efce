"""Keeping the theme rollup current (dashboards.models.ThemeRollup), with set-based SQL on PostgreSQL.

The same buckets as the daily rollup (day, campaign, channel, the answer's language), once per theme and
once with theme NULL for every answer with a comment: the Themes panel and the theme filter read these
(dashboards.themes, dashboards.queries). A theme's rows count answers with a comment whose AnswerTheme row
has a counted source (responses.models.COUNTED_THEME_SOURCES) and whose theme is active (not hidden,
retired or merged) — the rule dashboards.raw.theme_links applies to the answers themselves.

Three ways in, each replacing whole buckets (so running any of them twice gives the same rows):
- `dashboards.rollups.rebuild()` and `refresh()` call `rebuild_rows()` / `refresh_touched()` in their own
  transaction, for every bucket or the (campaign, day) buckets whose answers changed;
- `responses.themes.assign.changed(answer_ids)` (dashboards.tasks.theme_rollups_changed, registered in
  dashboards.apps) calls `refresh_answers()` for a few answers, `rebuild()` for many or for None (after a
  learn, a merge, a theme hidden).
"""

from django.conf import settings
from django.db import connection, transaction

from responses.models import COUNTED_THEME_SOURCES

from . import rollup_sql as sql
from .models import ThemeRollup

THEME = ThemeRollup._meta.db_table
DIMENSIONS = "channel, language, theme_id"
# More answers than this at once (a learn, a bulk re-assignment) rebuild every theme row instead: one pass
# over the answers is cheaper than a bucket per few answers.
MAX_TOUCHED_ANSWERS = 200_000

ACTIVE = "lnk.source = ANY(%(sources)s) AND NOT th.hidden AND NOT th.retired AND th.merged_into_id IS NULL"


def _day_sql(only_touched: bool) -> str:
    """Day rows: every answer with a comment (theme NULL), then one row per theme."""
    answers, _ = sql.sources(only_touched)
    day = sql.DAY_OF.format(column="a.answered_at")
    # Built from this module's constants only; values go in as parameters.
    return f"""
        INSERT INTO {THEME} (span, campaign_id, day, channel, language, theme_id, sent, {sql.COUNTS})
        SELECT 'day', a.campaign_id, {day}, a.channel, a.language, NULL::bigint, 0, {sql.SCORE_COUNTS}
        FROM {answers}
        WHERE a.comment <> ''
        GROUP BY 2, 3, 4, 5
        UNION ALL
        SELECT 'day', a.campaign_id, {day}, a.channel, a.language, lnk.theme_id, 0, {sql.SCORE_COUNTS}
        FROM {answers}
        JOIN responses_answertheme lnk ON lnk.answer_id = a.id
        JOIN responses_theme th ON th.id = lnk.theme_id
        WHERE a.comment <> '' AND {ACTIVE}
        GROUP BY 2, 3, 4, 5, 6
    """  # noqa: S608


def _params(tz: str) -> dict:
    return {"tz": tz, "sources": [str(source) for source in COUNTED_THEME_SOURCES]}


def rebuild_rows(cursor, tz: str) -> None:
    """Every theme row from the answers (inside the caller's transaction, which holds the rollup lock)."""
    cursor.execute(f"DELETE FROM {THEME}")  # noqa: S608
    cursor.execute(_day_sql(only_touched=False), _params(tz))
    cursor.execute(sql.months_sql(THEME, DIMENSIONS, only_touched=False))
    cursor.execute(sql.weeks_sql(THEME, DIMENSIONS, only_touched=False))


def refresh_touched(cursor, tz: str) -> None:
    """The theme rows of the buckets in the temporary tables touched, touched_months and touched_weeks
    (dashboards.rollup_sql.TOUCHED_SQL and its two companions), inside the caller's transaction."""
    for span, table, column in (("day", "touched", "day"), ("month", "touched_months", "month")):
        cursor.execute(
            f"DELETE FROM {THEME} r USING {table} t "  # noqa: S608
            f"WHERE r.span = '{span}' AND r.campaign_id = t.campaign_id AND r.day = t.{column}"
        )
    cursor.execute(
        f"DELETE FROM {THEME} r USING touched_weeks w "  # noqa: S608
        "WHERE r.span = 'week' AND r.campaign_id = w.campaign_id AND r.day = w.week"
    )
    cursor.execute(_day_sql(only_touched=True), _params(tz))
    cursor.execute(sql.months_sql(THEME, DIMENSIONS, only_touched=True))
    cursor.execute(sql.weeks_sql(THEME, DIMENSIONS, only_touched=True))


TOUCHED_BY_ANSWERS_SQL = """
    CREATE TEMPORARY TABLE touched ON COMMIT DROP AS
    SELECT campaign_id, day, (day::timestamp AT TIME ZONE %(tz)s) AS lo,
           ((day + 1)::timestamp AT TIME ZONE %(tz)s) AS hi
    FROM (
        SELECT DISTINCT a.campaign_id, (a.answered_at AT TIME ZONE %(tz)s)::date AS day
        FROM responses_answer a
        WHERE a.id = ANY(%(ids)s)
    ) buckets
"""


def rebuild() -> None:
    """Every theme row, under the rollup lock (the other rollups are left as they are)."""
    if not sql.is_supported():
        return
    with transaction.atomic():
        state = sql.lock_state()
        if state.refreshed_until is None:
            # Never built: the next rollup refresh rebuilds everything, theme rows included.
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            rebuild_rows(cursor, state.time_zone or settings.TIME_ZONE)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {THEME}")  # noqa: S608


def refresh_answers(answer_ids: list[int]) -> int:
    """The theme rows of the (campaign, day) buckets of these answers; returns how many buckets."""
    if not sql.is_supported() or not answer_ids:
        return 0
    with transaction.atomic():
        state = sql.lock_state()
        if state.refreshed_until is None:
            return 0  # never built: the next rollup refresh builds everything
        tz = state.time_zone or settings.TIME_ZONE
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                "DROP TABLE IF EXISTS pg_temp.touched, pg_temp.touched_months, pg_temp.touched_weeks"
            )
            cursor.execute(TOUCHED_BY_ANSWERS_SQL, {"tz": tz, "ids": list(answer_ids)})
            cursor.execute("SELECT count(*) FROM touched")
            (touched,) = cursor.fetchone()
            if touched:
                cursor.execute(sql.TOUCHED_MONTHS_SQL)
                cursor.execute(sql.TOUCHED_WEEKS_SQL)
                refresh_touched(cursor, tz)
    return touched
