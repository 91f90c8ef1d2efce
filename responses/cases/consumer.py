"""Follow-up as a consumer of the answer fan-out (responses.fanout): registered in responses.apps.

The answer page pays one Redis push: `receive` queues the intake (intake.consider_answer) as a Celery task
and reads nothing. `wants` is always true, because every answer keeps its contact's last score and
at-risk flag up to date, whatever the case and alert rules say.
"""

from ..fanout import AnswerEvent, Consumer


def wants() -> bool:
    return True


def receive(event: AnswerEvent) -> None:
    from . import tasks

    tasks.consider_answer.delay(event.answer_id, event.created)


consumer = Consumer(name="follow_up", wants=wants, receive=receive)
