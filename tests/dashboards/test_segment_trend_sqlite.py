"""Segments over time on the demo's SQLite: no rollups (migration 0006 leaves it alone), read from answers."""

from tests.test_demo import demo_env, manage

SCRIPT = """
from datetime import date, datetime, timezone
from dashboards import panels
from dashboards.filters import Filters
from tests.factories import make_answer, make_contact
for plan, scores in (("pro", (10, 10, 9)), ("free", (2, 9))):
    contact = make_contact(properties={"plan": plan})
    for score in scores:
        make_answer(score=score, contact=contact, answered_at=datetime(2026, 3, 4, 12, tzinfo=timezone.utc))
panel = panels.segment_trend(Filters(start=date(2026, 3, 1), end=date(2026, 3, 31)), by="plan", grain="week")
print("LINES", [(s.label, {d.isoformat(): round(p.nps) for d, p in s.points.items()}) for s in panel["segment_trend"].series])
"""


def test_segment_trend_reads_the_answers_on_sqlite(tmp_path):
    env = demo_env(tmp_path)
    migrated = manage(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    result = manage(env, "shell", "-c", SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "LINES [('pro', {'2026-03-02': 100}), ('free', {'2026-03-02': 0})]" in result.stdout
