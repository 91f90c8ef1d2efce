"""Settings → API keys: admins list, create and revoke the keys both APIs accept."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nps import ratelimit
from nps.accounts.roles import role_required

from . import keys
from .forms import ApiKeyForm
from .keys import ApiKey


def _api_keys_page(request, form, *, new_key="", status=200):
    context = {
        "keys": ApiKey.objects.select_related("created_by"),
        "form": form,
        "new_key": new_key,
        "rate": ratelimit.describe_rate(settings.API_RATELIMIT),
    }
    return render(request, "nps/api_keys.html", context, status=status)


@role_required("admin")
def api_keys(request):
    return _api_keys_page(request, ApiKeyForm())


@require_POST
@role_required("admin")
def create_api_key(request):
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _api_keys_page(request, form, status=400)
    key, raw = keys.create_api_key(
        name=form.cleaned_data["name"], read_only=form.cleaned_data["scope"] == "read", by=request.user
    )
    # Rendered, not redirected: the raw key is shown on this one response and never stored.
    response = _api_keys_page(request, ApiKeyForm(), new_key=raw, status=201)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@role_required("admin")
def revoke_api_key(request, pk):
    key = get_object_or_404(ApiKey, pk=pk)
    keys.revoke_api_key(key)
    messages.success(request, f"The key “{key.name}” is revoked: requests with it are refused from now on.")
    return redirect("nps:api_keys")
