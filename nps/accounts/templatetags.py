"""`{% load accounts %}`: registered under that name in settings.TEMPLATES (OPTIONS "libraries")."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def duration_words(value: timedelta) -> str:
    """A timedelta as people say it: "15 minutes", "1 hour"."""
    now = timezone.now()
    return timesince(now, now + value)
