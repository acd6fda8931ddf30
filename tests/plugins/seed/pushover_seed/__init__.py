# A notification plugin written by following the seed tutorial word for word, and nothing else.
# It records what it is given, so the tests can check every documented context field.
import os
from typing import Dict, Set

from rest_framework.serializers import ValidationError

from notifications import notification_types
from notifications.plugin import (
    BaseNotificationPlugin,
    FailureAlertContext,
    Feature,
    PrintContext,
    PrinterContext,
    PrinterNotificationContext,
    TestMessageContext,
    UserContext,
)

from . import helpers

RECEIVED = []


class PushOverNotificationPlugin(BaseNotificationPlugin):
    def validate_config(self, data: Dict) -> Dict:
        if "user_key" in data and helpers.clean(data["user_key"]):
            return {"user_key": helpers.clean(data["user_key"])}
        raise ValidationError("user_key is missing from config")

    def env_vars(self) -> Dict:
        return {
            "PUSHOVER_APP_TOKEN": {
                "is_required": True,
                "is_set": "PUSHOVER_APP_TOKEN" in os.environ,
            },
        }

    def supported_features(self) -> Set[Feature]:
        return {
            Feature.notify_on_failure_alert,
            Feature.notify_on_print_done,
            Feature.notify_on_print_cancelled,
            Feature.notify_on_filament_change,
            Feature.notify_on_heater_status,
        }

    def send_failure_alert(self, context: FailureAlertContext) -> None:
        RECEIVED.append(("failure_alert", context))

    def send_printer_notification(self, context: PrinterNotificationContext) -> None:
        assert context.notification_type in (
            notification_types.PrintDone,
            notification_types.PrintCancelled,
            notification_types.FilamentChange,
            notification_types.HeaterCooledDown,
            notification_types.HeaterTargetReached,
        )
        RECEIVED.append(("printer_notification", context))

    def send_test_message(self, context: TestMessageContext) -> None:
        assert isinstance(context.user, UserContext)
        RECEIVED.append(("test_message", context))


def __load_plugin__():
    return PushOverNotificationPlugin()


# Imported for the tutorial's sake; the tests check these names resolve.
__all__ = ["PrintContext", "PrinterContext"]
