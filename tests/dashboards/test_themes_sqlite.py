"""Themes on the demo's SQLite: no rollups, the panel and the theme filter read the answers."""

from tests.test_demo import demo_env, manage

SCRIPT = """
from datetime import date, datetime, timezone
from dashboards import queries, themes
from dashboards.filters import Filters
from responses.models import AnswerTheme, Theme
from tests.factories import make_answer
late, kind = Theme.objects.create(name="Late delivery"), Theme.objects.create(name="Kind staff")
at = datetime(2026, 3, 4, 12, tzinfo=timezone.utc)
for score, comment, theme in ((2, "Late", late), (3, "Late again", late), (10, "Kind", kind), (8, "", None)):
    answer = make_answer(score=score, comment=comment, answered_at=at)
    if theme:
        AnswerTheme.objects.create(answer=answer, theme=theme, source="auto")
march = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31))
panel = themes.panel(march, queries.split(march), today=date(2026, 4, 1))
print("DETRACTORS", [(r.name, r.comments, round(r.impact.points, 1)) for r in panel.detractors])
print("PROMOTERS", [(r.name, r.comments, round(r.impact.points, 1)) for r in panel.promoters])
print("FILTERED", queries.split(Filters(theme_id=late.pk)))
"""


def test_the_themes_panel_and_filter_read_the_answers_on_sqlite(tmp_path):
    env = demo_env(tmp_path)
    migrated = manage(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    result = manage(env, "shell", "-c", SCRIPT)
    assert result.returncode == 0, result.stderr
    # NPS −25 of 4 answers; without the 2 late detractors: 1 promoter, 1 passive: +50, so 75 points.
    assert "DETRACTORS [('Late delivery', 2, 75.0)]" in result.stdout
    # Without the promoter: 1 passive, 2 detractors, NPS −66.7: it earns 41.7 points.
    assert "PROMOTERS [('Kind staff', 1, 41.7)]" in result.stdout
    assert "FILTERED Split(promoters=0, passives=0, detractors=2)" in result.stdout
