"""An answer was saved: the contact's at-risk flag, the answer's case, its alerts (in that order).

Queued by the fan-out consumer (consumer.py) once the answer is committed, and again by the sweep
(tasks.sweep_follow_up) for any whose task was lost: every step is idempotent, so running twice is harmless.
Imported history updates the contact's last score and flag but opens no case and raises no alert.
"""

from .. import at_risk
from ..alerts.raising import raise_for_answer
from ..models import Answer
from . import services


def consider_answer(answer_id: int, *, created: bool = False) -> None:
    """Everything follow-up does with one saved answer; nothing when it is gone."""
    answer = Answer.objects.select_related("contact").filter(pk=answer_id).first()
    if answer is None:
        return
    at_risk.update_for(answer)
    services.open_or_update_for(answer, created=created)
    if answer.external_id is not None:
        return  # history: last year's detractors are no news
    services.note_answered_again(answer)
    raise_for_answer(answer)
