"""Webhook: POSTs each notification as JSON to a URL of the user's choice.

The body has the seed system's shape: {"event": type, "printer": {id, name}, "print": {id,
filename, started_at, ended_at}, "img_url": ...}; failure alerts use "event": "PrintFailure" with
is_warning and print_paused; a test message is {"event": "TestEvent"}. Heater events add
"heater": {name, actual, target}.

Headers: X-Printbell-Delivery is the same on every retry of one delivery (receivers can drop
duplicates); X-Printbell-Signature is "sha256=" + HMAC-SHA256(secret, body) when a secret is set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Dict

from rest_framework import serializers

from notifications import http
from notifications.plugin import (
    BaseNotificationPlugin,
    FailureAlertContext,
    PrinterNotificationContext,
    TestMessageContext,
)


class WebhookConfig(serializers.Serializer):
    custom_webhook_URL = serializers.URLField(
        max_length=2000,
        label="Webhook URL",
        help_text="Printbell POSTs a JSON body to this URL.",
        style={"placeholder": "https://example.com/printbell-hook"},
    )
    secret = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        write_only=True,
        label="Signing secret",
        help_text="Optional. When set, each request carries X-Printbell-Signature: sha256=<HMAC of the body>.",
    )

    def validate_custom_webhook_URL(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Must be an http:// or https:// URL.")
        return value


class WebhookNotificationPlugin(BaseNotificationPlugin):
    display_name = "Webhook"
    config_serializer_class = WebhookConfig

    def send_failure_alert(self, context: FailureAlertContext) -> None:
        body = self._base(context, "PrintFailure")
        body.update(is_warning=context.is_warning, print_paused=context.print_paused)
        self._post(context.config, body, context.extra_context)

    def send_printer_notification(self, context: PrinterNotificationContext) -> None:
        body = self._base(context, context.notification_type)
        extra = context.extra_context or {}
        if "heater_name" in extra:
            body["heater"] = {
                "name": extra.get("heater_name"),
                "actual": extra.get("heater_actual"),
                "target": extra.get("heater_target"),
            }
        self._post(context.config, body, extra)

    def send_test_message(self, context: TestMessageContext) -> None:
        self._post(context.config, {"event": "TestEvent"}, context.extra_context)

    def _base(self, context, event: str) -> Dict[str, Any]:
        p = context.print
        return {
            "event": event,
            "printer": {"id": context.printer.id, "name": context.printer.name},
            "print": None
            if p.id == 0
            else {
                "id": p.id,
                "filename": p.filename,
                "started_at": _iso(p.started_at),
                "ended_at": _iso(p.ended_at),
            },
            "img_url": context.img_url,
        }

    def _post(self, config: Dict, body: Dict[str, Any], extra: Dict) -> None:
        raw = json.dumps(body, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Printbell-Event": body["event"]}
        if extra.get("delivery_id"):
            headers["X-Printbell-Delivery"] = str(extra["delivery_id"])
        if config.get("secret"):
            digest = hmac.new(config["secret"].encode(), raw, hashlib.sha256).hexdigest()
            headers["X-Printbell-Signature"] = f"sha256={digest}"
        http.request("POST", config["custom_webhook_URL"], body=raw, headers=headers)


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def __load_plugin__():
    return WebhookNotificationPlugin()
