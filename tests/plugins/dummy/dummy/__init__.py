"""A plugin that exercises every hook and extension of the plugin API (NetBox-style dummy)."""

import os
from typing import Dict, Set

from rest_framework import serializers

from notifications.errors import PermanentError, TransientError
from notifications.plugin import (
    BaseNotificationPlugin,
    FailureAlertContext,
    Feature,
    PrinterNotificationContext,
    TestMessageContext,
)

SENT = []


class DummyConfig(serializers.Serializer):
    target = serializers.CharField(max_length=50, help_text="Where to send", style={"placeholder": "somewhere"})
    mode = serializers.ChoiceField(choices=["ok", "transient", "permanent", "crash", "unsupported"], default="ok")
    api_key = serializers.CharField(write_only=True, required=False, label="API key")
    retries = serializers.IntegerField(required=False, min_value=0, max_value=5)


class DummyPlugin(BaseNotificationPlugin):
    display_name = "Dummy (tests)"
    config_serializer_class = DummyConfig
    markup = "html"

    def b(self, s: str) -> str:
        return f"<b>{s}</b>"

    def i(self, s: str) -> str:
        return f"<i>{s}</i>"

    def u(self, s: str) -> str:
        return f"<u>{s}</u>"

    def env_vars(self) -> Dict:
        return {"DUMMY_CLIENT_ID": {"is_required": False, "is_set": True, "value": "public-client-id"}}

    def supported_features(self) -> Set[Feature]:
        return set(Feature) - {Feature.notify_on_print_resume}

    def _act(self, config: Dict, record) -> None:
        mode = config.get("mode", "ok")
        if mode == "transient":
            raise TransientError(f"provider busy (key {config.get('api_key', '')})", retry_after=0)
        if mode == "permanent":
            raise PermanentError("provider said no", status=403)
        if mode == "crash":
            client = os.environ.get("DUMMY_CLIENT_ID", "")
            raise RuntimeError(
                f"bug in plugin; key={config.get('api_key', '')}" + (f"; client={client}" if client else "")
            )
        if mode == "unsupported":
            raise NotImplementedError
        SENT.append(record)

    def send_failure_alert(self, context: FailureAlertContext) -> None:
        title = self.get_failure_alert_title(context)
        self._act(context.config, ("failure_alert", title, self.get_failure_alert_text(context), context))

    def send_printer_notification(self, context: PrinterNotificationContext) -> None:
        title = self.get_printer_notification_title(context)
        self._act(context.config, ("printer_notification", title, self.get_printer_notification_text(context), context))

    def send_test_message(self, context: TestMessageContext) -> None:
        self._act(context.config, ("test_message", "", "", context))


def __load_plugin__():
    return DummyPlugin()
