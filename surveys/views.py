from django.shortcuts import get_object_or_404, render

from nps.roles import role_required

from .models import Campaign


@role_required("lead")
def campaign_list(request):
    return render(request, "surveys/campaign_list.html", {"campaigns": Campaign.objects.active().select_related("brand")})


@role_required("lead")
def campaign_detail(request, pk):
    campaign = get_object_or_404(Campaign.objects.select_related("brand"), pk=pk)
    return render(request, "surveys/campaign_detail.html", {"campaign": campaign})
