"""The plugin API of the seed tutorial, exactly: a plugin written by following it word for word
imports from here and works unchanged.

    from notifications.plugin import (
        BaseNotificationPlugin, FailureAlertContext, PrinterNotificationContext,
        TestMessageContext, UserContext, PrinterContext, PrintContext, Feature,
    )

Beyond the seed, and optional for a plugin author: `display_name`, `config_serializer_class`
(config fields described as data, which also drives the default `validate_config`), `markup`
(how user text is escaped), and the errors in `notifications.errors`.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from typing import Any, ClassVar, Dict, Set

from rest_framework.serializers import ValidationError

from notifications import markup as _markup
from notifications import notification_types
from notifications.errors import NotificationError, PermanentError, TransientError

__all__ = [
    "BaseNotificationPlugin",
    "Feature",
    "FailureAlertContext",
    "PrinterNotificationContext",
    "TestMessageContext",
    "UserContext",
    "PrinterContext",
    "PrintContext",
    "NotificationError",
    "TransientError",
    "PermanentError",
    "ValidationError",
]


class Feature(enum.Enum):
    """What a plugin supports; each member's value is its name."""

    notify_on_failure_alert = "notify_on_failure_alert"
    notify_on_print_done = "notify_on_print_done"
    notify_on_print_cancelled = "notify_on_print_cancelled"
    notify_on_filament_change = "notify_on_filament_change"
    notify_on_print_start = "notify_on_print_start"
    notify_on_print_pause = "notify_on_print_pause"
    notify_on_print_resume = "notify_on_print_resume"
    notify_on_heater_status = "notify_on_heater_status"


@dataclasses.dataclass(frozen=True)
class UserContext:
    id: int
    email: str
    first_name: str
    last_name: str
    unsub_token: str
    dh_balance: float
    is_pro: bool


@dataclasses.dataclass(frozen=True)
class PrinterContext:
    id: int
    name: str
    pause_on_failure: bool
    watching_enabled: bool


@dataclasses.dataclass(frozen=True)
class PrintContext:
    """For an event that belongs to no print (a heater event between prints), `id` is 0 and
    `filename` is empty."""

    id: int
    filename: str
    started_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    alerted_at: datetime.datetime | None
    alert_overwrite: str


@dataclasses.dataclass(frozen=True)
class FailureAlertContext:
    config: Dict
    user: UserContext
    printer: PrinterContext
    print: PrintContext
    extra_context: Dict
    img_url: str
    is_warning: bool
    print_paused: bool


@dataclasses.dataclass(frozen=True)
class PrinterNotificationContext:
    config: Dict
    user: UserContext
    printer: PrinterContext
    print: PrintContext
    extra_context: Dict
    img_url: str
    feature: Feature
    notification_type: str


@dataclasses.dataclass(frozen=True)
class TestMessageContext:
    __test__: ClassVar[bool] = False  # not a pytest test class, despite its name

    config: Dict
    user: UserContext
    extra_context: Dict


_TITLES = {
    notification_types.PrintStarted: "Print started",
    notification_types.PrintDone: "Print done",
    notification_types.PrintCancelled: "Print cancelled",
    notification_types.PrintPaused: "Print paused",
    notification_types.PrintResumed: "Print resumed",
    notification_types.FilamentChange: "Filament change needed",
    notification_types.HeaterCooledDown: "Heater cooled down",
    notification_types.HeaterTargetReached: "Heater ready",
}

_PRINT_PHRASES = {
    notification_types.PrintStarted: "has started",
    notification_types.PrintDone: "is ready",
    notification_types.PrintCancelled: "is cancelled",
    notification_types.PrintPaused: "is paused",
    notification_types.PrintResumed: "is resumed",
    notification_types.FilamentChange: "requires filament change",
}

_inferred_markup: dict[type, str] = {}


class BaseNotificationPlugin:
    """Base class of every notification plugin. Override what your channel needs."""

    #: Shown to users; defaults to the plugin id, title-cased. (Extension.)
    display_name: ClassVar[str | None] = None
    #: A DRF Serializer class describing the config fields. When set, the web UI renders a form
    #: from it and the default `validate_config` validates with it; fields with
    #: `write_only=True` are secrets and are never sent back to the browser. (Extension.)
    config_serializer_class: ClassVar[type | None] = None
    #: "text", "html", "markdown" or "mrkdwn": how user and printer text is escaped. When unset it
    #: is inferred from what `b()` returns. (Extension.)
    markup: ClassVar[str | None] = None
    #: Set by the loader to the plugin's id (its folder name).
    plugin_id: str = ""

    # --- The seed's public API -------------------------------------------------------------

    def validate_config(self, data: Dict) -> Dict:
        """Clean and validate the config a user submitted; raise `ValidationError` if invalid."""
        if self.config_serializer_class is None:
            return data
        serializer = self.config_serializer_class(data=data)
        if not serializer.is_valid():
            raise ValidationError(serializer.errors)
        return json.loads(json.dumps(dict(serializer.validated_data), default=str))

    def env_vars(self) -> Dict:
        """{NAME: {'is_required': bool, 'is_set': bool, 'value': public value}} for each
        environment variable the plugin uses. Never return a secret's value."""
        return {}

    def supported_features(self) -> Set[Feature]:
        return set(Feature)

    def send_failure_alert(self, context: FailureAlertContext) -> None:
        raise NotImplementedError

    def send_printer_notification(self, context: PrinterNotificationContext) -> None:
        raise NotImplementedError

    def send_test_message(self, context: TestMessageContext) -> None:
        raise NotImplementedError

    # --- Message helpers (overridable) ------------------------------------------------------

    def i(self, s: str) -> str:
        """Italic, in the channel's markup. Plain text by default."""
        return s

    def b(self, s: str) -> str:
        """Bold, in the channel's markup. Plain text by default."""
        return s

    def u(self, s: str) -> str:
        """Underline, in the channel's markup. Plain text by default."""
        return s

    def escape(self, s: Any) -> str:
        """User or printer text made safe for the channel's markup."""
        return _markup.escape(self._markup(), str(s))

    def get_failure_alert_title(self, context: FailureAlertContext, link: str | None = None, **kwargs) -> str:
        return "Printbell - Failure alert!"

    def get_failure_alert_text(self, context: FailureAlertContext, link: str | None = None, **kwargs) -> str:
        if context.print_paused:
            pausing = "Printer is paused."
        elif context.printer.pause_on_failure and context.is_warning:
            pausing = "Printer is NOT paused."
        else:
            pausing = ""
        text = "Your print {} on {} {}.".format(
            self.b(self.escape(context.print.filename)),
            self.i(self.escape(context.printer.name)),
            "smells fishy" if context.is_warning else "is probably failing",
        )
        if pausing:
            text += f"\n{pausing}"
        if link:
            text += f"\nGo check it at: {self.escape(link)}"
        return text

    def get_printer_notification_title(self, context: PrinterNotificationContext) -> str:
        return f"Printbell - {_TITLES.get(context.notification_type, 'Print job notification')}"

    def get_printer_notification_text(self, context: PrinterNotificationContext) -> str:
        notification_type = context.notification_type
        extra = context.extra_context or {}
        if notification_type in _PRINT_PHRASES:
            text = f"Your print job {self.b(self.escape(context.print.filename))} {_PRINT_PHRASES[notification_type]} "
        elif notification_type in (notification_types.HeaterCooledDown, notification_types.HeaterTargetReached):
            name = self.b(self.escape(extra.get("heater_name", "unknown")))
            actual = self.b(self.escape(f"{_temperature(extra.get('heater_actual'))}℃"))
            if notification_type == notification_types.HeaterCooledDown:
                text = f"Heater {name} has cooled down to {actual} "
            else:
                text = f"Heater {name} has reached target temperature {actual} "
        else:
            return ""
        return text + f"on printer {self.i(self.escape(context.printer.name))}."

    # --- Internals ---------------------------------------------------------------------------

    def _markup(self) -> str:
        if self.markup:
            return self.markup
        cls = type(self)
        if cls not in _inferred_markup:
            _inferred_markup[cls] = _markup.infer_markup(self.b("x"))
        return _inferred_markup[cls]

    def get_display_name(self) -> str:
        return self.display_name or self.plugin_id.replace("_", " ").title()


def _temperature(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "?" if value is None else str(value)
