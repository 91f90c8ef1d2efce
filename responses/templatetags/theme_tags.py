"""`{% theme_choices as choices %}`: the active themes to tag a comment with, read once per request (a page
lists many comments, each with its "Add theme" control)."""

from django import template

from ..themes.services import active_themes

register = template.Library()


@register.simple_tag(takes_context=True)
def theme_choices(context) -> list[tuple[int, str]]:
    request = context.get("request")
    cached = getattr(request, "_theme_choices", None)
    if cached is not None:
        return cached
    rows = active_themes().order_by("name", "label", "pk").values_list("pk", "name", "label")
    choices = sorted(
        ((pk, name or label or f"Theme {pk}") for pk, name, label in rows), key=lambda c: c[1].casefold()
    )
    if request is not None:
        request._theme_choices = choices
    return choices
