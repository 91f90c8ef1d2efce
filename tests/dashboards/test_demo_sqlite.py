"""Comments search and CSV export on the demo's SQLite (no full-text search, no server-side cursors)."""

from tests.test_demo import demo_env, manage

SCRIPT = """
from dashboards import comments, export
from dashboards.filters import Filters
from tests.factories import make_answer, make_contact
contact = make_contact(name="Asha Rao", properties={"plan": "pro"})
make_answer(score=3, contact=contact, comment="The Invoices were wrong")
make_answer(score=9, comment="Lovely")
found = [a.comment for a in comments.search_comments(Filters(), text="invoices")]
lines = list(export.csv_lines(Filters(), include_contact=True))
print("FOUND", found)
print("LINES", len(lines), lines[0].strip())
"""


def test_comment_search_and_export_work_on_sqlite(tmp_path):
    env = demo_env(tmp_path)
    migrated = manage(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    result = manage(env, "shell", "-c", SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "FOUND ['The Invoices were wrong']" in result.stdout
    assert (
        "LINES 3 \ufeffanswered_at,score,group,comment,campaign,channel,language,tags,themes,at_risk,"
        "contact_email,contact_name,plan" in result.stdout
    )
