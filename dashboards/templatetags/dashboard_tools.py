"""The dashboard's toolbar (saved views, save, share, export, comments): one tag in home.html."""

from django import template

from nps.accounts.roles import has_role
from nps.inputs import parse_id

from ..models import SavedView
from ..sharing import clean_query

register = template.Library()


@register.inclusion_tag("dashboards/_toolbar.html", takes_context=True)
def dashboard_toolbar(context):
    request = context["request"]
    current = None
    view_id = parse_id(request.GET.get("view", ""))
    views = list(SavedView.objects.all())
    if view_id is not None:
        current = next((v for v in views if v.pk == view_id), None)
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "views": views,
        "current_view": current,
        "query": clean_query(request.GET.urlencode()),
        "can_lead": has_role(request.user, "lead"),
    }
