from django import template

register = template.Library()


@register.filter
def nps(value):
    """An NPS as people write it: +32, −8, 0; a dash when there is none."""
    if value is None:
        return "–"
    rounded = round(value)
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
