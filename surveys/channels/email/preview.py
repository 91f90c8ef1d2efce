"""The email as the campaign preview page shows it: headers, the HTML part in a sandboxed frame, the text."""

from .. import Preview
from .message import build_message


def preview(invitation) -> Preview:
    message = build_message(invitation)
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), None)
    if html is None:
        return Preview("channels/email/preview.html", message, message.body, "text/plain; charset=utf-8")
    return Preview("channels/email/preview.html", message, html)
