import math

from django import template

register = template.Library()


@register.filter
def nps(value):
    """An NPS as people write it: +32, −8, 0; a dash when there is none."""
    if value is None:
        return "–"
    # Half away from zero, as people round (+12.5 → +13); Python's round() would give +12.
    rounded = int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)
    if rounded > 0:
        return f"+{rounded}"
    return f"−{abs(rounded)}" if rounded < 0 else "0"


@register.filter
def signed(value):
    if value is None:
        return "–"
    return f"+{value:.1f}" if value > 0 else (f"−{abs(value):.1f}" if value < 0 else "0.0")


@register.filter
def percent(split, group):
    share = split.percent(group)
    return "–" if share is None else f"{share:.0f}%"


@register.filter
def duration(value):
    """A follow-up time as a support lead says it: "40 min", "5 h 10 min", "2 d 4 h"; a dash when none."""
    if value is None:
        return "–"
    minutes = max(int(value.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@register.filter
def share(proportion):
    """A Proportion as "64%"; a dash when there is nothing to share."""
    return "–" if proportion.percent is None else f"{proportion.percent:.0f}%"
