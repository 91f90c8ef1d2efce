"""The language a customer sees. Staff pages stay in LANGUAGE_CODE; customer pages choose explicitly."""

from django.utils import translation


def customer_language(request, invitation) -> str:
    """The invitation's language, else its contact's, else the browser's; always one we ship."""
    contact = getattr(invitation, "contact", None)
    for code in (invitation.language, contact.language if contact else ""):
        if code:
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return translation.get_language_from_request(request)
