"""Validation of a snapshot image uploaded with an event."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError
from rest_framework import serializers

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def validate_snapshot(upload: UploadedFile) -> str:
    """Check size, format and dimensions; return the file extension to store it under."""
    if upload.size > settings.MAX_SNAPSHOT_BYTES:
        raise serializers.ValidationError(
            f"Image is {upload.size} bytes; the limit is {settings.MAX_SNAPSHOT_BYTES} bytes."
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            fmt = img.format
            width, height = img.size
            if width * height > settings.MAX_SNAPSHOT_PIXELS:
                raise serializers.ValidationError(f"Image is {width}x{height} pixels; that is too many.")
            img.verify()
    except serializers.ValidationError:
        raise
    except Image.DecompressionBombError:  # far more pixels than Pillow will ever open
        raise serializers.ValidationError("Image has too many pixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise serializers.ValidationError("Not a valid image (JPEG, PNG, WebP or GIF expected).") from None
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise serializers.ValidationError(f"Image format {fmt} is not accepted (JPEG, PNG, WebP or GIF expected).")
    return ALLOWED_FORMATS[fmt]
