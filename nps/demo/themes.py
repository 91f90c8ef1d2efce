"""The demo's comment themes: two rule themes a support lead would define, then one learn of the discovered
themes over the seeded comments (docs/themes.md).

The rule themes' words are the ones the demo's comments use (comments.py), in every language the demo's
customers write, so that both themes catch comments in English, Hindi, Hinglish, Tamil, Bengali, Spanish and
Arabic. Written as rows, like the rest of the seed: no service is called.
"""

from datetime import datetime

from django.utils import timezone

from nps.accounts.models import User
from responses.models import Theme

# Whole words or phrases per language group (the Tamil, Bengali and Arabic ones with the forms the comments
# inflect them to).
RULE_THEMES = {
    "Refunds": {
        "en": ["refund", "refunds", "refunded", "money back"],
        "hi": ["रिफंड", "पैसे वापस"],
        "hi-Latn": ["refund", "paise wapas"],
        "ta": ["ரீஃபண்ட்", "பணம் திரும்ப"],
        "bn": ["রিফান্ড", "টাকা ফেরত"],
        "es": ["reembolso", "devolución", "devolvieron"],
        "ar": ["استرداد", "الاسترداد"],
    },
    "Printer": {
        "en": ["printer", "printers", "receipt printer", "kot", "kots"],
        "hi": ["प्रिंटर"],
        "hi-Latn": ["printer", "kot"],
        "ta": ["பிரிண்டர்", "பிரிண்டரில்", "பிரிண்டரை", "பிரிண்டரைத்"],
        "bn": ["প্রিন্টার", "প্রিন্টারে", "প্রিন্টারেই", "প্রিন্টারের", "প্রিন্টারটাই"],
        "es": ["impresora", "impresoras"],
        "ar": ["طابعة", "الطابعة"],
    },
}


def seed_themes(*, created_by: User | None = None, now: datetime | None = None) -> dict:
    """The rule themes (once), then one learn of the discovered themes. Returns {"rules": how many rule
    themes there are, "learned": whether the learn ran}."""
    now = now or timezone.now()
    for name, terms in RULE_THEMES.items():
        if not Theme.objects.filter(kind=Theme.Kind.RULE, name=name).exists():
            Theme.objects.create(
                kind=Theme.Kind.RULE,
                name=name,
                rule_terms=terms,
                created_by=created_by,
                created_at=now,
                updated_at=now,
            )
    rules = Theme.objects.filter(kind=Theme.Kind.RULE, name__in=list(RULE_THEMES)).count()
    return {"rules": rules, "learned": learn()}


def learn() -> bool:
    """Learn the discovered themes now, and give every comment its themes (a failed learn is logged on its
    run and leaves the seed whole)."""
    from responses.themes.tasks import learn_now

    return learn_now().state == "done"
