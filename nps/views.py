"""Wiring views: error pages, the health check, brand media."""

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from django.views.static import serve

from .accounts.roles import public


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@public
@require_GET
def brand_media(request, path):
    """Serve an uploaded brand logo; file names are unique per upload, so they may be cached for long."""
    response = serve(request, path, document_root=Path(settings.MEDIA_ROOT) / "brands")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24 * 30)
    return response


@public
def healthz(request):
    """Liveness and database reachability, for load balancers and docker health checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
