"""Accepting an event from a printer: validate, store once, queue the fan-out, return."""

from __future__ import annotations

import json
import math
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import serializers

from notifications import notification_types
from printers.models import Print, Printer, PrinterEvent
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
        problem = _unstorable(value)
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


def _unstorable(value: Any, depth: int = 0) -> str | None:
    """Why this JSON value cannot be stored (PostgreSQL's jsonb refuses NUL, lone surrogates and
    Infinity; SQLite's JSON check refuses Infinity) or sent on, or None if it can."""
    if depth > MAX_EXTRA_DEPTH:
        return f"Must not be nested more than {MAX_EXTRA_DEPTH} levels deep."
    if isinstance(value, float) and not math.isfinite(value):
        return "Numbers must be finite."
    if isinstance(value, str):
        if "\x00" in value:
            return "Null characters are not allowed."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Surrogate characters are not allowed."
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in children:
        problem = (_unstorable(key) if isinstance(key, str) else None) or _unstorable(item, depth + 1)
        if problem:
            return problem
    return None


def store_event(printer: Printer, data: dict) -> tuple[PrinterEvent, bool]:
    """Store the event once per idempotency key. Returns (event, created). The fan-out task is
    queued only after the transaction commits, and nothing slow happens here."""
    from notifications.tasks import fan_out_event

    key = data.get("id") or None
    if key:
        existing = PrinterEvent.objects.filter(printer=printer, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    event: PrinterEvent | None = None
    try:
        with transaction.atomic():
            print_obj = _upsert_print(printer, data["type"], data.get("print"))
            event = PrinterEvent(
                printer=printer,
                print=print_obj,
                type=data["type"],
                is_warning=data.get("is_warning", False),
                print_paused=data.get("print_paused", False),
                extra=data.get("extra") or {},
                img_url=data.get("img_url") or "",
                idempotency_key=key,
            )
            if data.get("snapshot") is not None:
                event.snapshot = data["snapshot"]  # saved to storage by save()
            event.save()
            transaction.on_commit(lambda: fan_out_event(event.id))
    except Exception as exc:
        if event is not None and event.snapshot:
            event.snapshot.delete(save=False)  # the row was rolled back: its file must not stay behind
        existing = None
        if isinstance(exc, IntegrityError) and key:  # the same key, stored by a concurrent request
            existing = PrinterEvent.objects.filter(printer=printer, idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    return event, True


def _upsert_print(printer: Printer, event_type: str, info: dict | None) -> Print | None:
    if not info:
        return None
    now = timezone.now()
    print_obj, _ = Print.objects.get_or_create(printer=printer, job_key=info["job_key"])
    changed = []
    for field in ("filename", "started_at", "ended_at"):
        if info.get(field) is not None and getattr(print_obj, field) != info[field]:
            setattr(print_obj, field, info[field])
            changed.append(field)
    if event_type == notification_types.PrintStarted and print_obj.started_at is None:
        print_obj.started_at = now
        changed.append("started_at")
    if event_type in (notification_types.PrintDone, notification_types.PrintCancelled) and print_obj.ended_at is None:
        print_obj.ended_at = now
        changed.append("ended_at")
    if event_type == notification_types.FailureAlert:
        print_obj.alerted_at = now
        changed.append("alerted_at")
    if changed:
        print_obj.save(update_fields=sorted(set(changed)))
    return print_obj
