from __future__ import annotations

import mimetypes

from django.conf import settings
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """Liveness and database reachability, for load balancers and `make run` checks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def snapshot(request, path: str):
    """Serve an event's snapshot. Names are 256-bit random, so the URL itself is the permission
    (providers such as Telegram fetch images by URL, without logging in)."""
    file = settings.MEDIA_ROOT / path
    if not file.is_file():
        raise Http404
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    response = FileResponse(open(file, "rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response
