"""The seed tutorial's plugin API, exactly: names, fields, members, defaults, helpers."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
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

SEED_FIELDS = {
    FailureAlertContext: [
        "config", "user", "printer", "print", "extra_context", "img_url", "is_warning", "print_paused",
    ],
    PrinterNotificationContext: [
        "config", "user", "printer", "print", "extra_context", "img_url", "feature", "notification_type",
    ],
    UserContext: ["id", "email", "first_name", "last_name", "unsub_token", "dh_balance", "is_pro"],
    PrinterContext: ["id", "name", "pause_on_failure", "watching_enabled"],
    PrintContext: ["id", "filename", "started_at", "ended_at", "alerted_at", "alert_overwrite"],
    TestMessageContext: ["config", "user", "extra_context"],
}  # fmt: skip

SEED_FEATURES = [
    "notify_on_failure_alert", "notify_on_print_done", "notify_on_print_cancelled", "notify_on_filament_change",
    "notify_on_print_start", "notify_on_print_pause", "notify_on_print_resume", "notify_on_heater_status",
]  # fmt: skip

SEED_TYPES = [
    "PrintStarted", "PrintDone", "PrintCancelled", "PrintPaused", "PrintResumed", "FilamentChange",
    "HeaterCooledDown", "HeaterTargetReached",
]  # fmt: skip


@pytest.mark.parametrize("cls", list(SEED_FIELDS))
def test_contexts_are_frozen_dataclasses_with_exactly_the_seed_fields(cls):
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen
    assert [f.name for f in dataclasses.fields(cls)] == SEED_FIELDS[cls]


def test_context_is_immutable():
    printer = PrinterContext(id=1, name="p", pause_on_failure=False, watching_enabled=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        printer.name = "other"


def test_feature_has_the_seed_members_each_valued_by_its_name():
    assert [f.name for f in Feature] == SEED_FEATURES
    assert all(f.value == f.name and isinstance(f.value, str) for f in Feature)
    assert Feature("notify_on_print_done") is Feature.notify_on_print_done


def test_notification_types_are_the_seed_eight():
    assert list(notification_types.ALL) == SEED_TYPES
    for name in SEED_TYPES:
        assert getattr(notification_types, name) == name


@pytest.mark.parametrize(
    ("event_type", "feature"),
    [
        ("PrintStarted", Feature.notify_on_print_start),
        ("PrintDone", Feature.notify_on_print_done),
        ("PrintCancelled", Feature.notify_on_print_cancelled),
        ("PrintPaused", Feature.notify_on_print_pause),
        ("PrintResumed", Feature.notify_on_print_resume),
        ("FilamentChange", Feature.notify_on_filament_change),
        ("HeaterCooledDown", Feature.notify_on_heater_status),
        ("HeaterTargetReached", Feature.notify_on_heater_status),
        ("FailureAlert", Feature.notify_on_failure_alert),
    ],
)
def test_each_type_maps_to_its_feature(event_type, feature):
    assert notification_types.feature_for(event_type) is feature


class Bare(BaseNotificationPlugin):
    pass


def test_base_plugin_defaults_are_the_seeds():
    plugin = Bare()
    data = {"anything": " kept as is "}
    assert plugin.validate_config(data) == data
    assert plugin.env_vars() == {}
    assert plugin.supported_features() == set(Feature)
    for method in ("send_failure_alert", "send_printer_notification", "send_test_message"):
        with pytest.raises(NotImplementedError):
            getattr(plugin, method)(None)


def test_validate_config_uses_a_declared_serializer():
    from rest_framework import serializers

    class Config(serializers.Serializer):
        url = serializers.URLField()
        count = serializers.IntegerField(min_value=1)

    class WithSchema(BaseNotificationPlugin):
        config_serializer_class = Config

    assert WithSchema().validate_config({"url": "https://x.test/a", "count": "3"}) == {
        "url": "https://x.test/a",
        "count": 3,
    }
    with pytest.raises(ValidationError) as err:
        WithSchema().validate_config({"url": "nope"})
    assert set(err.value.detail) == {"url", "count"}


def _ctx(notification_type="PrintDone", filename="benchy.gcode", printer_name="Prusa", extra=None):
    user = UserContext(1, "a@b.c", "A", "B", "tok", 0.0, True)
    printer = PrinterContext(1, printer_name, True, True)
    when = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    print_ = PrintContext(2, filename, when, None, None, "")
    return PrinterNotificationContext(
        {}, user, printer, print_, extra or {}, "", notification_types.feature_for(notification_type), notification_type
    )


def _alert(is_warning=False, print_paused=False, pause_on_failure=True, filename="f.gcode"):
    base = _ctx(filename=filename)
    printer = PrinterContext(1, base.printer.name, pause_on_failure, True)
    return FailureAlertContext({}, base.user, printer, base.print, {}, "", is_warning, print_paused)


@pytest.mark.parametrize(
    ("notification_type", "phrase"),
    [
        ("PrintStarted", "has started"),
        ("PrintDone", "is ready"),
        ("PrintCancelled", "is cancelled"),
        ("PrintPaused", "is paused"),
        ("PrintResumed", "is resumed"),
        ("FilamentChange", "requires filament change"),
    ],
)
def test_printer_notification_text(notification_type, phrase):
    text = Bare().get_printer_notification_text(_ctx(notification_type))
    assert text == f"Your print job benchy.gcode {phrase} on printer Prusa."


def test_heater_texts_use_extra_context():
    extra = {"heater_name": "bed", "heater_actual": 60.0, "heater_target": 60}
    plugin = Bare()
    assert plugin.get_printer_notification_text(_ctx("HeaterTargetReached", extra=extra)) == (
        "Heater bed has reached target temperature 60℃ on printer Prusa."
    )
    assert plugin.get_printer_notification_text(_ctx("HeaterCooledDown", extra={"heater_name": "tool0"})) == (
        "Heater tool0 has cooled down to ?℃ on printer Prusa."
    )
    assert plugin.get_printer_notification_title(_ctx("HeaterTargetReached", extra=extra)) == "Printbell - Heater ready"


def test_failure_alert_text():
    plugin = Bare()
    assert plugin.get_failure_alert_text(_alert()) == "Your print f.gcode on Prusa is probably failing."
    assert plugin.get_failure_alert_text(_alert(is_warning=True)) == (
        "Your print f.gcode on Prusa smells fishy.\nPrinter is NOT paused."
    )
    assert plugin.get_failure_alert_text(_alert(print_paused=True), link="https://x.test/p/1") == (
        "Your print f.gcode on Prusa is probably failing.\nPrinter is paused.\nGo check it at: https://x.test/p/1"
    )
    assert plugin.get_failure_alert_title(_alert()) == "Printbell - Failure alert!"


NASTY = "<b>&*_x_*`[y](z)"


class HtmlPlugin(BaseNotificationPlugin):
    """As the seed's built-in plugins do: override b/i/u with HTML, say nothing about escaping."""

    def b(self, s):
        return f"<b>{s}</b>"

    def i(self, s):
        return f"<i>{s}</i>"


class MarkdownPlugin(BaseNotificationPlugin):
    def b(self, s):
        return f"**{s}**"

    def i(self, s):
        return f"_{s}_"


class MrkdwnPlugin(BaseNotificationPlugin):
    markup = "mrkdwn"

    def b(self, s):
        return f"*{s}*"


def test_html_markup_escapes_user_text():
    text = HtmlPlugin().get_printer_notification_text(_ctx(filename=NASTY, printer_name="<i>P&Q</i>"))
    assert text == (
        "Your print job <b>&lt;b&gt;&amp;*_x_*`[y](z)</b> is ready on printer <i>&lt;i&gt;P&amp;Q&lt;/i&gt;</i>."
    )


def test_markdown_markup_escapes_user_text():
    text = MarkdownPlugin().get_printer_notification_text(_ctx(filename=NASTY))
    assert text.startswith("Your print job **\\<b\\>\\&\\*\\_x\\_\\*\\`\\[y\\]\\(z\\)** is ready")


def test_mrkdwn_markup_escapes_user_text():
    text = MrkdwnPlugin().get_printer_notification_text(_ctx(filename="<b>&*x*"))
    assert text.startswith("Your print job *&lt;b&gt;&amp;*\u200bx*\u200b* is ready")


def test_plain_text_plugin_keeps_text_as_written():
    text = Bare().get_printer_notification_text(_ctx(filename=NASTY))
    assert text == f"Your print job {NASTY} is ready on printer Prusa."
