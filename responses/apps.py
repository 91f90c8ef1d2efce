from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    verbose_name = "Answers"

    def ready(self):
        from surveys.contacts import Eraser, register_eraser

        from .cases.services import count_cases_kept, delete_cases_of
        from .services import anonymise_answers_of, count_answers_of

        # Erasing a contact deletes their follow-up cases (notes, replies, timeline: about the person), before
        # their answers are unlinked from them.
        register_eraser(Eraser(noun="follow-up case", count=count_cases_kept, erase=delete_cases_of))
        # Erasing a contact keeps their answers in the figures, anonymised.
        register_eraser(
            Eraser(
                noun="answer",
                count=count_answers_of,
                erase=anonymise_answers_of,
                detail="score, comment, campaign, channel and date are kept; interviewer notes are removed",
            )
        )

        from surveys.privacy import Exporter, register_exporter

        from .services import export_answers_of

        # A contact's export (surveys.privacy) includes their answers, comments and interviewer notes.
        register_exporter(Exporter(key="answers", export=export_answers_of))

        from .cases.services import export_cases_of

        # …and their follow-up cases: status, notes, replies in and out, tags.
        register_exporter(Exporter(key="cases", export=export_cases_of))

        from . import answer_webhooks, fanout

        # Every saved answer is handed to its consumers (responses.fanout): webhooks first.
        fanout.register(answer_webhooks.consumer)
        from .cases import consumer as follow_up

        # …then follow-up: at-risk flags, cases, alerts (responses/cases/intake.py, through Celery).
        fanout.register(follow_up.consumer)
        from .themes import assign as themes

        # …and, without a Celery beat (THEMES_ASSIGN_AT_ONCE, the demo), comments' themes at once.
        fanout.register(fanout.Consumer("themes", themes.wants_each_answer, themes.receive))

        from surveys.channels.texting.inbound import register_reply_handler

        from .texting import handle_reply

        # Texts replying to a reply-mode survey (surveys.channels.texting.inbound) are read here.
        register_reply_handler(handle_reply)

        from surveys.channels.email.inbound import register_inbound_handler
        from surveys.channels.texting.inbound import register_text_listener

        from .cases.replies import receive_email, receive_text

        # Customers' answers to a case reply (the ESP's inbound webhook; texts that answer no survey) go
        # onto their case (responses/cases/replies.py).
        register_inbound_handler(receive_email)
        register_text_listener(receive_text)

        from corsheaders.signals import check_request_enabled

        from .widget_api import cors_enabled

        # CORS for the widget's API only from the origins on each site's list (responses/widget_api.py).
        check_request_enabled.connect(cors_enabled, dispatch_uid="responses.widget_api.cors_enabled")

        # Alert rules are cached for the answer path; raising's model signals forget the cache on a change.
        from .alerts import raising  # noqa: F401
