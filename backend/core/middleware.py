from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse


class BodySizeLimitMiddleware:
    """Refuse oversized bodies before anything reads them: JSON bodies above MAX_JSON_BODY_BYTES,
    and any body above MAX_EVENT_REQUEST_BYTES (a multipart event with its snapshot)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or ""
        if length.isdigit():
            size = int(length)
            is_json = (request.content_type or "").endswith("json")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if is_json else settings.MAX_EVENT_REQUEST_BYTES
            if size > limit:
                return JsonResponse({"detail": f"Request body too large; the limit is {limit} bytes."}, status=413)
        return self.get_response(request)
