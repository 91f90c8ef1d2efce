"""The answer page hands an answer to follow-up with one Redis push; a task takes them in batches."""

import pytest
from django.core.cache import caches

from responses.cases import consumer, tasks
from responses.models import Case
from responses.services import record_score
from tests.factories import make_invitation

pytestmark = pytest.mark.django_db


def pending() -> int:
    return consumer._redis().llen(caches["default"].make_and_validate_key(consumer.PENDING))


def test_a_worker_setup_pushes_the_answer_and_the_task_opens_its_case(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: nothing runs in the request
    invitation = make_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        answer = record_score(invitation, score=2)
    assert not Case.objects.exists()  # the request only pushed the id
    assert pending() == 1

    assert tasks.consider_pending() == 1
    case = Case.objects.get()
    assert (case.answer, case.score, case.group) == (answer, 2, "detractor")
    assert pending() == 0
    assert tasks.consider_pending() == 0  # nothing twice


def test_an_answer_that_is_gone_is_skipped_and_the_rest_are_considered(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    first, second = make_invitation(), make_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        gone = record_score(first, score=1)
        record_score(second, score=3)
    gone.delete()
    assert tasks.consider_pending() == 2
    assert Case.objects.get().score == 3
