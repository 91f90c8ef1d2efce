"""Wiring views: error pages, the health check, brand media."""

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve

from nps.inputs import NUL
from surveys import delivery

from .accounts.roles import public


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@public
@require_GET
def brand_media(request, path):
    """Serve an uploaded brand logo; file names are unique per upload, so they may be cached for long."""
    # Stored names are short (FileField's 100 characters); a longer one is no logo, and the file system
    # would refuse it with an error rather than "not found".
    if len(path) > 255 or NUL in path:
        raise Http404("No such logo.")
    response = serve(request, path, document_root=Path(settings.MEDIA_ROOT) / "brands")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24 * 30)
    return response


@public
def healthz(request):
    """Liveness and database reachability, for load balancers and docker health checks.

    `?worker=1` also requires the background work to be alive (beat and a worker: the dispatcher ran
    within the last minutes) and answers 503 when it is not, for an outside monitor.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return JsonResponse({"status": "ok", "worker": "in process"})
    last = delivery.last_dispatch()
    worker = "ok" if delivery.dispatcher_is_alive() else "stale"
    body = {"status": "ok", "worker": worker, "last_dispatch": last.isoformat() if last else None}
    if request.GET.get("worker") == "1" and worker != "ok":
        return JsonResponse({**body, "status": "worker stale"}, status=503)
    return JsonResponse(body)
