"""Keeping the rollup tables current, with set-based SQL on PostgreSQL (see docs/dashboards.md).

`rebuild()` recomputes everything from answers and invitations; `refresh()` (every minute, by beat)
recomputes only the (campaign, day) buckets that answers or sent invitations touched since the last
refresh. Both replace whole buckets, so running either twice, or both at once, gives the same rows.
The write path of answers is not involved: capturing an answer stays one upsert.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import theme_rollups
from .models import DailyRollup, RollupState, SegmentRollup
from .rollup_sql import (
    COUNTS,
    DAY_OF,
    NO_SCORES,
    SCORE_COUNTS,
    SUM_COUNTS,
    TOUCHED_MONTHS_SQL,
    TOUCHED_SQL,
    TOUCHED_WEEKS_SQL,
    is_supported,
)
from .rollup_sql import lock_state as _state
from .rollup_sql import months_sql as _months_sql
from .rollup_sql import sources as _sources
from .rollup_sql import weeks_sql as _weeks_sql

__all__ = ["OVERLAP", "SEGMENT_MAX_VALUES", "is_supported", "rebuild", "refresh", "segment_keys"]

# Answers whose transaction set updated_at before the refresh started but committed after it read them
# are caught by the next refresh, which looks this far back again (recomputing a bucket is idempotent).
OVERLAP = timedelta(minutes=5)
# A contact property becomes a segment when it has at most this many distinct values: plans and regions
# are segments; e-mail-like or date-like properties would only blow the rollup up.
SEGMENT_MAX_VALUES = 50

DAILY = DailyRollup._meta.db_table
SEGMENT = SegmentRollup._meta.db_table


def _daily_sql(only_touched: bool) -> str:
    answers, sent = _sources(only_touched)
    # Built from this module's constants only; values go in as parameters.
    return f"""
        INSERT INTO {DAILY} (span, campaign_id, day, channel, language, sent, {COUNTS})
        SELECT 'day', campaign_id, day, channel, language, sum(sent), {SUM_COUNTS} FROM (
            SELECT a.campaign_id, {DAY_OF.format(column="a.answered_at")} AS day, a.channel, a.language,
                   0 AS sent, {SCORE_COUNTS}
            FROM {answers}
            GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT i.campaign_id, {DAY_OF.format(column="i.sent_at")}, i.channel, i.language,
                   count(*), {NO_SCORES}
            FROM {sent}
            WHERE i.state = 'sent' AND i.sent_at IS NOT NULL
            GROUP BY 1, 2, 3, 4
        ) parts
        GROUP BY 2, 3, 4, 5
    """  # noqa: S608


def _segment_sql(only_touched: bool, keys: list[str]) -> tuple[str, dict]:
    """One pass over the answers grouped by every segment property at once (a few hundred thousand
    groups at 10 million answers), then unpivoted into one row per property: far cheaper than a row per
    answer and property."""
    answers, sent = _sources(only_touched)
    # ->> gives NULL for a missing key, a JSON null or a properties value that is no object: no segment.
    columns = ", ".join(f"properties ->> %(key{n})s AS v{n}" for n in range(len(keys)))
    values = ", ".join(f"v{n}" for n in range(len(keys)))
    group = ", ".join(str(n) for n in range(1, 4 + len(keys)))
    pairs = ", ".join(f"(%(key{n})s, p.v{n})" for n in range(len(keys)))
    contacts = f"(SELECT id, {columns} FROM surveys_contact) c"  # noqa: S608
    sql = f"""
        INSERT INTO {SEGMENT} (span, campaign_id, day, channel, key, value, sent, {COUNTS})
        SELECT 'day', p.campaign_id, p.day, p.channel, kv.key, kv.value, sum(p.sent), {SUM_COUNTS} FROM (
            SELECT a.campaign_id, {DAY_OF.format(column="a.answered_at")} AS day, a.channel, {values},
                   0 AS sent, {SCORE_COUNTS}
            FROM {answers}
            JOIN {contacts} ON c.id = a.contact_id
            GROUP BY {group}
            UNION ALL
            SELECT i.campaign_id, {DAY_OF.format(column="i.sent_at")}, i.channel, {values},
                   count(*), {NO_SCORES}
            FROM {sent}
            JOIN {contacts} ON c.id = i.contact_id
            WHERE i.state = 'sent' AND i.sent_at IS NOT NULL
            GROUP BY {group}
        ) p
        CROSS JOIN LATERAL (VALUES {pairs}) kv (key, value)
        WHERE kv.value IS NOT NULL
        GROUP BY 2, 3, 4, 5, 6
    """  # noqa: S608
    return sql, {f"key{n}": key for n, key in enumerate(keys)}


SEGMENT_KEYS_SQL = f"""
    SELECT p.key
    FROM surveys_contact c
    CROSS JOIN LATERAL jsonb_each_text(c.properties) p
    WHERE jsonb_typeof(c.properties) = 'object' AND p.value IS NOT NULL
    GROUP BY p.key
    HAVING count(DISTINCT p.value) <= {SEGMENT_MAX_VALUES}
    ORDER BY p.key
"""  # noqa: S608


MONTHS = [(DAILY, "channel, language"), (SEGMENT, "channel, key, value")]


def rebuild() -> RollupState:
    """Recompute every rollup from answers and invitations (set-based, in one transaction)."""
    started = timezone.now()
    tz = settings.TIME_ZONE
    with transaction.atomic():
        state = _state()
        with connection.cursor() as cursor:
            # Big sorts and hashes in memory rather than on disk, for this transaction only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(SEGMENT_KEYS_SQL)
            keys = [row[0] for row in cursor.fetchall()]
            # DELETE, not TRUNCATE: dashboards keep reading the old rows until this commits.
            cursor.execute(f"DELETE FROM {DAILY}")  # noqa: S608
            cursor.execute(f"DELETE FROM {SEGMENT}")  # noqa: S608
            cursor.execute(_daily_sql(only_touched=False), {"tz": tz})
            theme_rollups.rebuild_rows(cursor, tz)
            if keys:
                sql, params = _segment_sql(only_touched=False, keys=keys)
                cursor.execute(sql, {"tz": tz, **params})
            for table, dimensions in MONTHS:
                cursor.execute(_months_sql(table, dimensions, only_touched=False))
                cursor.execute(_weeks_sql(table, dimensions, only_touched=False))
        state.refreshed_until = started
        state.rebuilt_at = timezone.now()
        state.time_zone = tz
        state.segment_keys = keys
        state.save()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DAILY}, {SEGMENT}, {theme_rollups.THEME}")
    return state


def refresh() -> int:
    """Recompute the (campaign, day) buckets touched since the last refresh; returns how many.

    Falls back to a full rebuild the first time, and when the workspace time zone changed.
    """
    started = timezone.now()
    tz = settings.TIME_ZONE
    with transaction.atomic():
        state = _state()
        if state.refreshed_until is None or state.time_zone != tz:
            rebuild()
            return -1
        params = {"tz": tz, "since": state.refreshed_until - OVERLAP}
        with connection.cursor() as cursor:
            # A few small index ranges: the JIT compiler would cost more than it saves.
            cursor.execute("SET LOCAL jit = off")
            # Left over when the caller's transaction is still open (a nested atomic block).
            cursor.execute(
                "DROP TABLE IF EXISTS pg_temp.touched, pg_temp.touched_months, pg_temp.touched_weeks"
            )
            cursor.execute(TOUCHED_SQL, params)
            cursor.execute("ANALYZE touched")
            cursor.execute("SELECT count(*) FROM touched")
            (touched,) = cursor.fetchone()
            if touched:
                cursor.execute(TOUCHED_MONTHS_SQL)
                cursor.execute(TOUCHED_WEEKS_SQL)
                for table in (DAILY, SEGMENT):
                    cursor.execute(
                        f"DELETE FROM {table} r USING touched t "  # noqa: S608
                        "WHERE r.span = 'day' AND r.campaign_id = t.campaign_id AND r.day = t.day"
                    )
                    cursor.execute(
                        f"DELETE FROM {table} r USING touched_months m "  # noqa: S608
                        "WHERE r.span = 'month' AND r.campaign_id = m.campaign_id AND r.day = m.month"
                    )
                    cursor.execute(
                        f"DELETE FROM {table} r USING touched_weeks w "  # noqa: S608
                        "WHERE r.span = 'week' AND r.campaign_id = w.campaign_id AND r.day = w.week"
                    )
                cursor.execute(_daily_sql(only_touched=True), params)
                if state.segment_keys:
                    sql, key_params = _segment_sql(only_touched=True, keys=state.segment_keys)
                    cursor.execute(sql, {**params, **key_params})
                for table, dimensions in MONTHS:
                    cursor.execute(_months_sql(table, dimensions, only_touched=True))
                    cursor.execute(_weeks_sql(table, dimensions, only_touched=True))
                # A new, changed or re-scored answer moves its comment's theme counts too.
                theme_rollups.refresh_touched(cursor, tz)
        state.refreshed_until = started
        state.save(update_fields=["refreshed_until"])
    return touched


def segment_keys() -> list[str]:
    """Contact property keys the segment rollup holds, for the dashboard's "split by" select."""
    state = RollupState.objects.filter(pk=1).only("segment_keys").first()
    return list(state.segment_keys) if state else []
