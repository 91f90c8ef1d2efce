"""The answer hot path's hand-built SQL also runs on the demo's SQLite."""

from tests.test_demo import demo_env, manage

SCRIPT = """
from responses import hotpath, services
from responses.models import Answer
from tests.factories import make_answer, make_invitation
invitation = make_invitation(state="sent", texts={"question": "Would you?"})
found = hotpath.find_invitation(invitation.token)
print("FOUND", found.pk == invitation.pk, found.text("question"), found.campaign.brand.company_name)
services.record_score(found, score=4, source="link", automatic=True)
services.record_score(hotpath.find_invitation(invitation.token), score=10, source="link", automatic=True)
print("ANSWERS", list(Answer.objects.values_list("score", flat=True)))
print("MISSING", hotpath.find_invitation("no-such-token"))
"""


def test_one_click_answer_statements_work_on_sqlite(tmp_path):
    env = demo_env(tmp_path)
    assert manage(env, "migrate", "--no-input").returncode == 0
    result = manage(env, "shell", "-c", SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "FOUND True Would you? Acme" in result.stdout
    assert "ANSWERS [10]" in result.stdout
    assert "MISSING None" in result.stdout
