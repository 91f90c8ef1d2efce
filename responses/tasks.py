"""Celery tasks of the responses app: each loads rows by id and calls a plain function; safe to run twice."""

from celery import shared_task


# History import: both steps re-check the import's status, so a redelivered task does nothing twice.
@shared_task(name="responses.tasks.check_response_import", ignore_result=True)
def check_response_import(import_id):
    from .history_import import check_rows
    from .models import ResponseImport

    response_import = ResponseImport.objects.filter(pk=import_id).first()
    if response_import is not None:
        check_rows(response_import)


@shared_task(name="responses.tasks.import_responses", ignore_result=True)
def import_responses(import_id):
    from .history_import import load_rows
    from .models import ResponseImport

    response_import = ResponseImport.objects.filter(pk=import_id).first()
    if response_import is not None:
        load_rows(response_import)
