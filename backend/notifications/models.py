from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from notifications.plugin import Feature

FEATURE_FIELDS = [f.value for f in Feature]


class NotificationSetting(models.Model):
    """A notification channel: one plugin, configured by one user. The seed's NotificationSetting,
    with a label and an optional list of printers it is limited to (empty means all)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channels")
    name = models.CharField(max_length=100, help_text="The plugin id, e.g. 'webhook'.")
    label = models.CharField(max_length=200, blank=True, default="")
    config = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(default=True)

    # The seed system's defaults.
    notify_on_failure_alert = models.BooleanField(default=True)
    notify_on_print_done = models.BooleanField(default=True)
    notify_on_print_cancelled = models.BooleanField(default=False)
    notify_on_filament_change = models.BooleanField(default=True)
    notify_on_print_start = models.BooleanField(default=False)
    notify_on_print_pause = models.BooleanField(default=False)
    notify_on_print_resume = models.BooleanField(default=False)
    notify_on_heater_status = models.BooleanField(default=False)

    printers = models.ManyToManyField("printers.Printer", blank=True, related_name="channels")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "enabled"], name="channel_user_enabled")]

    def __str__(self) -> str:
        return self.label or self.name

    def wants(self, feature: Feature) -> bool:
        return bool(getattr(self, feature.value))


class Delivery(models.Model):
    """One notification to one channel: an event's (or a test message's) journey to a provider."""

    PENDING = "pending"  # waiting for its first or next attempt (see next_attempt_at)
    SENDING = "sending"  # claimed by a worker until lease_expires_at
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # the plugin does not support this kind of notification
    STATUS_CHOICES = [(s, s) for s in (PENDING, SENDING, SENT, FAILED, SKIPPED)]
    FINAL = (SENT, FAILED, SKIPPED)

    # Stable across retries and sent to providers that accept one, so receivers can drop duplicates.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(
        "printers.PrinterEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    channel = models.ForeignKey(NotificationSetting, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=40, help_text="The event type, or 'TestMessage'.")
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="delivery_unique_event_channel")]
        indexes = [
            models.Index(fields=["user", "-id"], name="delivery_user_recent"),
            models.Index(fields=["lease_expires_at"], condition=Q(status="sending"), name="delivery_sending_lease"),
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="delivery_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.channel_id} ({self.status})"


class DeliveryAttempt(models.Model):
    SENT = "sent"
    TRANSIENT = "transient"  # failed, will be retried if the budget allows
    PERMANENT = "permanent"  # failed, will not be retried
    SKIPPED = "skipped"
    LOST = "lost"  # the worker stopped during the attempt; the delivery was picked up again
    OUTCOME_CHOICES = [(s, s) for s in (SENT, TRANSIENT, PERMANENT, SKIPPED, LOST)]

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=OUTCOME_CHOICES)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_unique_number")]

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"
