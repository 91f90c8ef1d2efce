from csp.decorators import csp_update
from django.shortcuts import render

from nps.roles import role_required

from . import charts, queries
from .forms import FilterForm
from .metrics import differs_significantly


# plotly.js injects a <style> element when it draws.
@csp_update({"style-src": ["'unsafe-inline'"]})
@role_required("viewer")
def home(request):
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "dashboards/home.html", {"form": form}, status=400)
    if not request.GET:
        form = FilterForm({"period": "90d", "grain": "week", "window": 1})
        form.is_valid()
    filters = form.filters()
    split = queries.split(filters)
    context = {"form": form, "split": split, "has_any_answer": queries.answers(queries.Filters()).exists()}
    if split.total:
        previous_filters = filters.previous()
        previous = queries.split(previous_filters) if previous_filters else None
        delivered = queries.delivered(filters)
        points = queries.trend(filters, form.cleaned_data["grain"])
        context.update(
            previous=previous,
            change=(split.nps - previous.nps) if previous and previous.nps is not None else None,
            change_is_significant=bool(previous and differs_significantly(split, previous)),
            delivered=delivered,
            response_rate=(100 * split.total / delivered) if delivered else None,
            trend_json=charts.trend_figure(points, window=form.cleaned_data["window"]),
            split_json=charts.split_figure(split),
            distribution_json=charts.distribution_figure(queries.distribution(filters)),
            comments=queries.recent_comments(filters),
        )
    return render(request, "dashboards/home.html", context)
