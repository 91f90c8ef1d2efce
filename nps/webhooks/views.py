"""Settings → Webhooks: endpoints, their delivery log and a test event (admins only)."""

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from nps import audit, outbound
from nps.accounts.roles import role_required

from . import services
from .forms import WebhookEndpointForm
from .models import WebhookDelivery, WebhookEndpoint

LOG_ROWS = 50


@role_required("admin")
def webhook_list(request):
    endpoints = WebhookEndpoint.objects.annotate(
        failing=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
        pending=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
        last_event_at=Max("deliveries__created_at"),
    )
    return render(request, "nps/webhook_list.html", {"endpoints": endpoints})


@role_required("admin")
def webhook_create(request):
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            endpoint = form.save(commit=False)
            endpoint.created_by = request.user
            services.save_endpoint(endpoint)
            audit.record("webhook.create", obj=endpoint, changes=audit.changes_of(form))
            messages.success(request, "Endpoint added. Copy its signing secret below to check signatures.")
            return redirect(endpoint)
        return render(request, "nps/webhook_form.html", {"form": form}, status=400)
    return render(request, "nps/webhook_form.html", {"form": form})


@role_required("admin")
def webhook_detail(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    form = WebhookEndpointForm(request.POST or None, instance=endpoint)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            changes = audit.changes_of(form)
            services.save_endpoint(form.save(commit=False))
            audit.record("webhook.update", obj=endpoint, changes=changes)
            messages.success(request, "Endpoint saved.")
            return redirect(endpoint)
        status = 400
    context = {
        "endpoint": endpoint,
        "form": form,
        "deliveries": endpoint.deliveries.all()[:LOG_ROWS],
        "log_rows": LOG_ROWS,
    }
    return render(request, "nps/webhook_detail.html", context, status=status)


@require_POST
@role_required("admin")
def webhook_delete(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.delete_endpoint(endpoint)
    messages.success(request, f"Endpoint {endpoint.url} deleted; it receives no more events.")
    return redirect("nps:webhook_list")


@require_POST
@role_required("admin")
def webhook_test(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    try:
        # Saved before the guard existed, or its name now resolves elsewhere: say so, send nothing.
        outbound.check_url_to_save(endpoint.url)
    except outbound.RefusedURL as exc:
        messages.error(request, f"No test event sent: {exc} Change the endpoint URL.")
        return redirect(endpoint)
    services.send_test_event(endpoint)
    messages.success(request, "Test event sent. Its result is at the top of the delivery log.")
    return redirect(endpoint)


@require_POST
@role_required("admin")
def webhook_rotate(request, pk):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.rotate_secret(endpoint)
    messages.success(
        request, "New signing secret created. Update your receiver: the old one no longer works."
    )
    return redirect(endpoint)
