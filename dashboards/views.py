from csp.decorators import csp_update
from django.shortcuts import render

from nps.roles import role_required
from responses.models import Answer

from . import panels, queries
from .forms import FilterForm

DEFAULTS = {"period": "90d", "grain": "week", "window": "1"}


def _url_with(query, **changes) -> str:
    """The current query string with some parameters set (or removed when None)."""
    query = query.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return "?" + query.urlencode()


# plotly.js injects a <style> element when it draws.
# PNG export (static/js/chart_png.js) draws the chart's SVG from a blob: URL onto a canvas.
@csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["blob:"]})
@role_required("viewer")
def home(request):
    # Defaults fill what the URL leaves out, so that the selects show what the panels use.
    data = request.GET.copy()
    for key, value in DEFAULTS.items():
        data.setdefault(key, value)
    form = FilterForm(data)
    if not form.is_valid():
        return render(request, "dashboards/home.html", {"form": form}, status=400)
    filters = form.filters()
    context = panels.compute(
        filters,
        grain=form.cleaned_data["grain"],
        window=form.cleaned_data["window"],
        by=form.cleaned_data["by"],
    )
    context.update(
        form=form,
        filters=filters,
        by=form.cleaned_data["by"],
        has_any_answer=Answer.objects.exists(),
        clear_segment_url=_url_with(request.GET, segment=None),
        segment_label=queries.segment_label(*filters.segment) if filters.segment else None,
        segment_rows=[(s, _url_with(request.GET, segment=s.param)) for s in context.get("segments", ())],
    )
    return render(request, "dashboards/home.html", context)
