"""The SQL every rollup is built with (dashboards.rollups, dashboards.theme_rollups): score counts, days in
the workspace time zone, the touched (campaign, day) buckets of a refresh, and the week and month rows
summed from the day rows. Statements are built from these constants only; values go in as parameters."""

from django.db import connection

from .models import SCORE_FIELDS, RollupState

COUNTS = ", ".join(SCORE_FIELDS)
SUM_COUNTS = ", ".join(f"sum({f})" for f in SCORE_FIELDS)
SCORE_COUNTS = ", ".join(f"count(*) FILTER (WHERE a.score = {s}) AS n{s}" for s in range(11))
NO_SCORES = ", ".join("0" for _ in range(11))

# Days in the workspace time zone.
DAY_OF = "({column} AT TIME ZONE %(tz)s)::date"
# A refresh reads only the rows of the touched buckets, each bucket a [lo, hi) range of the
# (campaign, answered_at) or (campaign, sent_at) index. OFFSET 0 keeps the planner from flattening the
# lateral subquery into a hash join over the whole table.
IN_BUCKETS = (
    "touched t CROSS JOIN LATERAL (SELECT * FROM {table} x WHERE x.campaign_id = t.campaign_id"
    " AND x.{column} >= t.lo AND x.{column} < t.hi OFFSET 0) {alias}"
)


def sources(only_touched: bool) -> tuple[str, str]:
    if not only_touched:
        return "responses_answer a", "surveys_invitation i"
    return (
        IN_BUCKETS.format(table="responses_answer", column="answered_at", alias="a"),
        IN_BUCKETS.format(table="surveys_invitation", column="sent_at", alias="i"),
    )


def months_sql(table: str, dimensions: str, only_touched: bool) -> str:
    """Month rows (span "month", day = the 1st) summed from the day rows: long ranges read ~30× fewer rows."""
    touched = (
        "JOIN touched_months m ON m.campaign_id = r.campaign_id"
        " AND r.day >= m.month AND r.day < (m.month + interval '1 month')"
        if only_touched
        else ""
    )
    return f"""
        INSERT INTO {table} (span, campaign_id, day, {dimensions}, sent, {COUNTS})
        SELECT 'month', r.campaign_id, date_trunc('month', r.day)::date, {dimensions}, sum(sent), {SUM_COUNTS}
        FROM {table} r {touched}
        WHERE r.span = 'day'
        GROUP BY r.campaign_id, date_trunc('month', r.day), {dimensions}
    """  # noqa: S608


def weeks_sql(table: str, dimensions: str, only_touched: bool) -> str:
    """Week rows (span "week", day = the Monday) summed from the day rows, for weekly lines per segment."""
    touched = (
        "JOIN touched_weeks w ON w.campaign_id = r.campaign_id AND r.day >= w.week AND r.day < w.week + 7"
        if only_touched
        else ""
    )
    return f"""
        INSERT INTO {table} (span, campaign_id, day, {dimensions}, sent, {COUNTS})
        SELECT 'week', r.campaign_id, date_trunc('week', r.day)::date, {dimensions}, sum(sent), {SUM_COUNTS}
        FROM {table} r {touched}
        WHERE r.span = 'day'
        GROUP BY r.campaign_id, date_trunc('week', r.day), {dimensions}
    """  # noqa: S608


TOUCHED_SQL = """
    CREATE TEMPORARY TABLE touched ON COMMIT DROP AS
    SELECT campaign_id, day, (day::timestamp AT TIME ZONE %(tz)s) AS lo,
           ((day + 1)::timestamp AT TIME ZONE %(tz)s) AS hi
    FROM (
        SELECT a.campaign_id, (a.answered_at AT TIME ZONE %(tz)s)::date AS day
        FROM responses_answer a
        WHERE a.updated_at > %(since)s
        UNION
        SELECT i.campaign_id, (i.sent_at AT TIME ZONE %(tz)s)::date
        FROM surveys_campaign c
        -- Per campaign, so that the (campaign, sent_at) index answers it.
        JOIN surveys_invitation i ON i.campaign_id = c.id AND i.sent_at > %(since)s
        WHERE i.state = 'sent'
    ) buckets
"""
TOUCHED_MONTHS_SQL = """
    CREATE TEMPORARY TABLE touched_months ON COMMIT DROP AS
    SELECT DISTINCT campaign_id, date_trunc('month', day)::date AS month FROM touched
"""
TOUCHED_WEEKS_SQL = """
    CREATE TEMPORARY TABLE touched_weeks ON COMMIT DROP AS
    SELECT DISTINCT campaign_id, date_trunc('week', day)::date AS week FROM touched
"""


def is_supported() -> bool:
    """Rollups are a PostgreSQL fast path; other databases (the SQLite demo) read answers directly."""
    return connection.vendor == "postgresql"


def lock_state() -> RollupState:
    RollupState.objects.get_or_create(pk=1)
    # Serialises refreshes and rebuilds: the second waits, then finds little or nothing to do.
    return RollupState.objects.select_for_update().get(pk=1)
