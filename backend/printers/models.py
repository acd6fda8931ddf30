from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications import notification_types


class Printer(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="printers")
    name = models.CharField(max_length=200)
    pause_on_failure = models.BooleanField(default=False)
    watching_enabled = models.BooleanField(default=True)
    # The printer's token is shown once, on creation; only its SHA-256 is kept.
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Print(models.Model):
    printer = models.ForeignKey(Printer, on_delete=models.CASCADE, related_name="prints")
    # The agent's own identifier for the job, so later events find the same print.
    job_key = models.CharField(max_length=200)
    filename = models.CharField(max_length=500, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    alert_overwrite = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["printer", "job_key"], name="print_unique_job_key")]

    def __str__(self) -> str:
        return self.filename or self.job_key


def snapshot_path(instance: PrinterEvent, filename: str) -> str:
    # Unguessable, so a provider (Telegram, Discord...) can fetch it by URL without a login.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"snapshots/{uuid.uuid4().hex}{uuid.uuid4().hex}.{ext}"


class PrinterEvent(models.Model):
    TYPE_CHOICES = [(t, t) for t in notification_types.EVENT_TYPES]

    printer = models.ForeignKey(Printer, on_delete=models.CASCADE, related_name="events")
    print = models.ForeignKey(Print, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    type = models.CharField(max_length=40, choices=TYPE_CHOICES)
    is_warning = models.BooleanField(default=False)
    print_paused = models.BooleanField(default=False)
    extra = models.JSONField(default=dict, blank=True)
    snapshot = models.FileField(upload_to=snapshot_path, null=True, blank=True)
    img_url = models.URLField(max_length=2000, blank=True, default="")
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set once the event has been turned into deliveries; the sweep retries events left unset.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["printer", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="event_unique_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(fanned_out_at__isnull=True), name="event_not_fanned_out")
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.printer_id}"
