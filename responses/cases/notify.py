"""Personal emails about cases: a case was assigned to me, the customer replied on my case, my case is overdue.

The case services and replies call these; each emails the case's owner unless their AlertPreference
(Account → Alert emails) switched that email off, or they did it themselves (assigning a case to yourself
tells you nothing). The email is composed and sent by a Celery task queued after the commit, so a failing
mail server never turns an assignment into an error page, and a rolled-back change sends nothing.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from ..models import AlertPreference, Case, CaseMessage

log = logging.getLogger(__name__)

# AlertPreference's field for each email.
PREFERENCE = {"assigned": "case_assigned", "reply": "case_reply", "overdue": "case_overdue"}


def case_assigned(case, *, by) -> None:
    """The case's (new) owner is told, unless they took it themselves."""
    _queue("assigned", case, by=by)


def customer_replied(case, message) -> None:
    """The owner is told the customer answered on their case."""
    _queue("reply", case, message_id=getattr(message, "pk", None))


def case_overdue(case) -> None:
    """The owner is told their case is past its due time (once per due time: services.mark_overdue)."""
    _queue("overdue", case)


def wants(user, kind: str) -> bool:
    """The person gets this email: active, with an address, and not switched off (no row: every email)."""
    if user is None or not user.is_active or not user.email:
        return False
    preference = AlertPreference.objects.filter(user=user).first()
    return preference is None or getattr(preference, PREFERENCE[kind])


def _queue(kind: str, case, *, by=None, message_id=None) -> None:
    owner = case.owner
    if owner is None or (by is not None and by.pk == owner.pk):
        return
    case_id, owner_id = case.pk, owner.pk

    def queue():
        from ..alerts.tasks import send_case_email

        try:
            send_case_email.delay(kind, case_id, owner_id, message_id)
        except Exception:  # the broker is down: the email is lost, the change is not
            log.warning("Could not queue the %s email of case %s", kind, case_id)

    transaction.on_commit(queue, robust=True)


def _case_url(case) -> str:
    try:
        path = reverse("responses:case_detail", args=[case.pk])
    except NoReverseMatch:
        path = f"/cases/{case.pk}/"
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _preferences_url() -> str:
    try:
        path = reverse("responses:alert_preferences")
    except NoReverseMatch:
        path = "/account/alerts/"
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def compose(kind: str, case: Case, message: CaseMessage | None = None) -> tuple[str, str]:
    """(subject, text) of one personal email."""
    answer = case.answer
    contact = case.contact
    who = (
        (contact.name or contact.email or "A customer")
        if contact is not None and not contact.anonymous
        else "A customer"
    )
    facts = f"Score {case.score} on {answer.campaign.name}" + (
        f": “{answer.comment.strip()[:300]}”" if answer.comment.strip() else ""
    )
    if kind == "assigned":
        subject = f"Case {case.pk} is yours: {who} scored {case.score}"
        lead = f"Case {case.pk} was assigned to you."
    elif kind == "reply":
        subject = f"{who} replied on case {case.pk}"
        body = (message.body if message is not None else "").strip()
        lead = (
            f"{who} replied on case {case.pk}:\n\n{body[:2000]}"
            if body
            else f"{who} replied on case {case.pk}."
        )
    else:
        due = case.due_at.strftime("%d %b %Y %H:%M UTC") if case.due_at else "its due time"
        subject = f"Case {case.pk} is overdue"
        lead = f"Case {case.pk} was due {due} and is still {case.get_status_display().lower()}."
    text = (
        f"{lead}\n\n{facts}\n\nOpen the case: {_case_url(case)}\n\n"
        f"You get this email about your own cases. Choose your alert emails: {_preferences_url()}\n"
    )
    return subject, text


def send(kind: str, case_id: int, owner_id: int, message_id: int | None = None) -> bool:
    """The task's work: re-read the case (it may have changed hands since) and email its owner."""
    case = Case.objects.select_related("owner", "contact", "answer__campaign").filter(pk=case_id).first()
    if case is None or case.owner_id != owner_id or not wants(case.owner, kind):
        return False
    if kind == "overdue" and not case.is_open:
        return False  # resolved in the meantime
    message = CaseMessage.objects.filter(pk=message_id).first() if message_id else None
    subject, text = compose(kind, case, message)
    html = (
        '<div style="font-family:sans-serif;font-size:14px">'
        + "".join(f"<p>{escape(part).replace(chr(10), '<br>')}</p>" for part in text.strip().split("\n\n"))
        + "</div>"
    )
    mail = EmailMultiAlternatives(subject, text, to=[case.owner.email])
    mail.attach_alternative(html, "text/html")
    mail.send()
    return True
