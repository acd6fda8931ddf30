"""Accepting an event from a printer: validate, store once, queue the fan-out, return."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from core.json_values import unstorable
from notifications import notification_types
from printers import event_store
from printers.models import Printer, snapshot_path
from printers.snapshots import validate_snapshot

MAX_EXTRA_BYTES = 16 * 1024
MAX_EXTRA_DEPTH = 20
HEATER_NUMBERS = ("heater_actual", "heater_target")


class PrintInfoSerializer(serializers.Serializer):
    job_key = serializers.CharField(max_length=200, help_text="The agent's own id for the print job.")
    filename = serializers.CharField(max_length=500, required=False, allow_blank=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)


class EventSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=notification_types.EVENT_TYPES,
        # Not DRF's default, which echoes the input back (and a lone surrogate cannot be rendered).
        error_messages={"invalid_choice": f"Must be one of: {', '.join(notification_types.EVENT_TYPES)}."},
    )
    id = serializers.CharField(
        max_length=200, required=False, allow_null=True, help_text="Idempotency key: a repeat returns the first event."
    )
    print = PrintInfoSerializer(required=False, allow_null=True)
    extra = serializers.DictField(required=False, help_text="e.g. heater_name, heater_actual, heater_target")
    is_warning = serializers.BooleanField(required=False, default=False)
    print_paused = serializers.BooleanField(required=False, default=False)
    img_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    snapshot = serializers.FileField(required=False, allow_null=True, help_text="JPEG, PNG, WebP or GIF")

    def to_internal_value(self, data: Any):
        if hasattr(data, "getlist"):  # multipart form: nested objects arrive as JSON text
            data = _flatten_form(data)
        return super().to_internal_value(data)

    def validate_extra(self, value: dict) -> dict:
        problem = unstorable(value, MAX_EXTRA_DEPTH)
        if problem:
            raise serializers.ValidationError(problem)
        if len(json.dumps(value, default=str)) > MAX_EXTRA_BYTES:
            raise serializers.ValidationError(f"Must be at most {MAX_EXTRA_BYTES} bytes of JSON.")
        for key in HEATER_NUMBERS:
            if key in value and not (isinstance(value[key], (int, float)) and not isinstance(value[key], bool)):
                raise serializers.ValidationError({key: "Must be a number."})
        if "heater_name" in value and not isinstance(value["heater_name"], str):
            raise serializers.ValidationError({"heater_name": "Must be a string."})
        return value

    def validate_img_url(self, value: str) -> str:
        if value and not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Must be an http(s) URL.")
        return value

    def validate_snapshot(self, value):
        if value is not None:
            value.name = f"snapshot.{validate_snapshot(value)}"
        return value


def _flatten_form(data) -> dict:
    out: dict[str, Any] = {}
    for key in data:
        value = data.get(key)
        if key in ("print", "extra") and isinstance(value, str):
            try:
                value = json.loads(value) if value else None
            except (ValueError, RecursionError):
                raise serializers.ValidationError({key: ["Must be a JSON object."]}) from None
        out[key] = value
    return out


def store_event(printer: Printer, data: dict) -> tuple[int, bool]:
    """Store the event once per idempotency key. Returns (event id, created). The fan-out task is
    queued only after the transaction commits, and nothing slow happens here."""
    from notifications.tasks import fan_out_event

    key = data.get("id") or None
    if key:
        existing = event_store.event_for_key(printer.id, key)
        if existing is not None:
            return existing, False
    snapshot = ""
    try:
        if data.get("snapshot") is not None:
            snapshot = default_storage.save(snapshot_path(None, data["snapshot"].name), data["snapshot"])
        now = timezone.now()
        with transaction.atomic():
            info = data.get("print")
            print_id = event_store.upsert_print(printer.id, data["type"], info, now) if info else None
            event_id = event_store.insert_event(printer.id, print_id, data, snapshot, now)
            transaction.on_commit(lambda: fan_out_event(event_id))
    except Exception as exc:
        if snapshot:
            default_storage.delete(snapshot)  # the row was rolled back: its file must not stay behind
        existing = None
        if isinstance(exc, IntegrityError) and key:  # the same key, stored by a concurrent request
            existing = event_store.event_for_key(printer.id, key)
        if existing is None:
            raise
        return existing, False
    return event_id, True
