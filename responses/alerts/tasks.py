"""Celery tasks of alerts: each calls a plain function of responses/alerts/sending.py; safe to run twice."""

from celery import shared_task


# Queued by raising (with the settle delay as countdown) and by the sweep; the rule row's lock makes a
# duplicate wait, and the alerts it would send are claimed already.
@shared_task(name="responses.alerts.tasks.send_alerts", ignore_result=True, time_limit=120)
def send_alerts(rule_id):
    from .sending import send_for_rule

    send_for_rule(rule_id)


# Beat runs this every 30 seconds (nps/celery.py): rules with due alerts (retries, a task lost with Redis).
@shared_task(name="responses.alerts.tasks.send_due_alerts", ignore_result=True)
def send_due_alerts():
    from .sending import send_due

    send_due()


# A personal email about a case (responses/cases/notify.py), queued after the commit of the change.
@shared_task(name="responses.alerts.tasks.send_case_email", ignore_result=True, time_limit=60)
def send_case_email(kind, case_id, owner_id, message_id=None):
    from responses.cases.notify import send

    send(kind, case_id, owner_id, message_id)
