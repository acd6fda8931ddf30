"""The seed's notification types, and which Feature each one belongs to.

`from notifications import notification_types` then `notification_types.PrintDone` etc.
"""

from __future__ import annotations

from typing import NewType

NotificationType = NewType("NotificationType", str)

PrintStarted = NotificationType("PrintStarted")
PrintDone = NotificationType("PrintDone")
PrintCancelled = NotificationType("PrintCancelled")
PrintPaused = NotificationType("PrintPaused")
PrintResumed = NotificationType("PrintResumed")
FilamentChange = NotificationType("FilamentChange")
HeaterCooledDown = NotificationType("HeaterCooledDown")
HeaterTargetReached = NotificationType("HeaterTargetReached")

#: The eight notification types of the seed, in its order.
ALL: tuple[NotificationType, ...] = (
    PrintStarted,
    PrintDone,
    PrintCancelled,
    PrintPaused,
    PrintResumed,
    FilamentChange,
    HeaterCooledDown,
    HeaterTargetReached,
)

#: Not a notification type: the event a printer reports when a failure is detected. It is sent
#: through `send_failure_alert`, not `send_printer_notification`.
FailureAlert = "FailureAlert"

#: Every event type a printer may report.
EVENT_TYPES: tuple[str, ...] = (*ALL, FailureAlert)

# Feature names rather than Feature members, so this module stays importable on its own.
FEATURE_NAME_BY_TYPE: dict[str, str] = {
    PrintStarted: "notify_on_print_start",
    PrintDone: "notify_on_print_done",
    PrintCancelled: "notify_on_print_cancelled",
    PrintPaused: "notify_on_print_pause",
    PrintResumed: "notify_on_print_resume",
    FilamentChange: "notify_on_filament_change",
    HeaterCooledDown: "notify_on_heater_status",
    HeaterTargetReached: "notify_on_heater_status",
    FailureAlert: "notify_on_failure_alert",
}


def feature_for(event_type: str):  # -> Feature
    """The Feature a notification type (or `FailureAlert`) is classified under."""
    from notifications.plugin import Feature

    return Feature[FEATURE_NAME_BY_TYPE[event_type]]
