from django.shortcuts import render

from nps.roles import role_required


@role_required("viewer")
def home(request):
    return render(request, "dashboards/home.html", {})
