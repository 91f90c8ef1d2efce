"""What a text provider's error codes mean for us: retry, give up, or give up and suppress the number.

Twilio answers a refused message with an error code (https://www.twilio.com/docs/api/errors), either at
once (HTTP 400 on the API call) or later in a status callback (ErrorCode of an undelivered or failed
message). The same table reads both:

| codes | meaning | what we do |
|---|---|---|
| 21610 | the recipient replied STOP (Twilio's opt-out list) | fail at once, suppress the number: unsubscribed |
| 63014 | the WhatsApp user blocked the sender | fail at once, suppress the number: blocked |
| 21211, 21217, 21401, 21614 | not a valid (mobile) number | fail at once |
| 21407, 21408, 21612 | the number or its region cannot get texts from this account | fail at once |
| 30003, 30005, 30006 | handset unreachable, unknown, a landline or an unreachable carrier | fail at once |
| 30004, 30007 | blocked by the carrier, or filtered as spam | fail at once |
| 63003, 63024 | not a WhatsApp user, not a valid WhatsApp recipient | fail at once |
| 63016 | a WhatsApp text outside the 24-hour window that is not an approved template | fail at once |
| 20429, 30001, 30008 | too many requests, queue overflow, unknown error | retry with delivery.BACKOFF |
| HTTP 5xx, a timeout, a dropped connection (no code) | Twilio or the network had trouble | retry |
| any other code | most often our configuration (a sender, a Messaging Service) | retry, then fail |

"Fail at once" is for errors about the recipient: no retry can change them. Unknown codes are retried (at
most delivery.MAX_ATTEMPTS times), since a configuration an operator fixes within the backoff should not
lose the invitations sent meanwhile.
"""

from ...models import Suppression

SUPPRESSING = {
    21610: Suppression.Reason.UNSUBSCRIBED,
    63014: Suppression.Reason.BLOCKED,
}
PERMANENT = frozenset(
    {21211, 21217, 21401, 21407, 21408, 21612, 21614, 30003, 30004, 30005, 30006, 30007, 63003, 63016, 63024}
    | set(SUPPRESSING)
)


def classify(code: int | str | None) -> tuple[bool, str | None]:
    """(permanent, suppression reason or None) for a provider's error code; no code is temporary."""
    try:
        code = int(code) if code not in (None, "") else None
    except (TypeError, ValueError):
        return False, None
    if code is None:
        return False, None
    return code in PERMANENT, SUPPRESSING.get(code)


class TextSendError(Exception):
    """The provider did not take a text. `permanent`: no retry helps; `suppress_reason`: the number goes on
    the suppression list (a Suppression.Reason). `answered`: the provider said no (an HTTP error with a
    code); False when we cannot tell whether it took the text (timeout, dropped connection, HTTP 5xx)."""

    def __init__(
        self, code: int | None, message: str, *, answered: bool = True, permanent: bool | None = None
    ):
        self.code = code
        self.message = message
        self.answered = answered
        self.permanent, self.suppress_reason = classify(code)
        if permanent is not None:  # an error of ours with no provider code (e.g. no template to send)
            self.permanent = permanent
        super().__init__(f"{code}: {message}" if code else message)
