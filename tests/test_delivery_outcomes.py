"""How a plugin's result is classified and recorded, with the dummy plugin that exercises every
hook; and that secrets never reach the delivery log or the logs."""

from __future__ import annotations

import logging

import pytest

from notifications.models import Delivery
from tests.support.queue import drain

from .conftest import PLUGIN_FIXTURES

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "sk_live_very_secret_value"


@pytest.fixture
def dummy(plugin_dirs):
    plugin_dirs(PLUGIN_FIXTURES / "dummy")
    import notifications.plugins.dummy as module

    module.SENT.clear()
    return module


def _run(post_event, token, body=None):
    body = body or {"type": "PrintDone", "print": {"job_key": "1", "filename": "<b>&*_x_*"}}
    assert post_event(token, body).status_code == 202
    drain()
    return Delivery.objects.get()


def test_sent_with_html_escaped_text(dummy, user, make_printer, make_channel, post_event):
    _, token = make_printer(user, name="P<1>")
    make_channel(user, name="dummy", config={"target": "t"})
    delivery = _run(post_event, token)
    assert delivery.status == Delivery.SENT
    ((kind, title, text, ctx),) = dummy.SENT
    assert kind == "printer_notification"
    assert title == "Printbell - Print done"
    assert text == "Your print job <b>&lt;b&gt;&amp;*_x_*</b> is ready on printer <i>P&lt;1&gt;</i>."


def test_not_implemented_is_skipped(dummy, user, printer, make_channel, post_event):
    make_channel(user, name="dummy", config={"target": "t", "mode": "unsupported"})
    delivery = _run(post_event, printer[1])
    assert delivery.status == Delivery.SKIPPED
    assert [a.outcome for a in delivery.attempts.all()] == ["skipped"]


def test_permanent_error_stops_at_once(dummy, user, printer, make_channel, post_event):
    make_channel(user, name="dummy", config={"target": "t", "mode": "permanent"})
    delivery = _run(post_event, printer[1])
    assert delivery.status == Delivery.FAILED and delivery.attempt_count == 1
    attempt = delivery.attempts.get()
    assert (attempt.outcome, attempt.http_status, attempt.error) == ("permanent", 403, "provider said no")


def test_plugin_crash_is_permanent_and_its_secret_redacted(dummy, user, printer, make_channel, post_event, caplog):
    make_channel(user, name="dummy", config={"target": "t", "mode": "crash", "api_key": SECRET})
    with caplog.at_level(logging.DEBUG):
        delivery = _run(post_event, printer[1])
    assert delivery.status == Delivery.FAILED and delivery.attempt_count == 1
    assert delivery.last_error == "RuntimeError: bug in plugin; key=[redacted]"
    assert SECRET not in caplog.text


def test_transient_error_retries_and_its_secret_redacted(
    settings, dummy, user, printer, make_channel, post_event, caplog
):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    make_channel(user, name="dummy", config={"target": "t", "mode": "transient", "api_key": SECRET})
    with caplog.at_level(logging.DEBUG):
        delivery = _run(post_event, printer[1])
    assert [a.outcome for a in delivery.attempts.all()] == ["transient", "transient"]
    assert all(SECRET not in a.error for a in delivery.attempts.all())
    assert "[redacted]" in delivery.last_error
    assert SECRET not in caplog.text


def test_env_var_values_are_redacted_from_errors(dummy, monkeypatch, user, printer, make_channel, post_event):
    monkeypatch.setenv("DUMMY_CLIENT_ID", "client-id-value-123")
    make_channel(user, name="dummy", config={"target": "t", "mode": "crash"})
    delivery = _run(post_event, printer[1])
    assert delivery.last_error == "RuntimeError: bug in plugin; key=; client=[redacted]"


def test_urls_in_errors_lose_path_and_query(user, printer, make_channel, post_event):
    # A bot-style URL carrying a token in its path: connection refused names only the origin.
    make_channel(user, config={"custom_webhook_URL": "http://127.0.0.1:9/bot123456:SECRET/send?key=abc"})
    delivery = _run(post_event, printer[1])
    assert "SECRET" not in delivery.last_error and "key=abc" not in delivery.last_error
    assert "http://127.0.0.1:9" in delivery.last_error


def test_failure_alert_text_from_the_seed_helpers(dummy, user, make_printer, make_channel, post_event):
    _, token = make_printer(user, name="Ender", pause_on_failure=True)
    make_channel(user, name="dummy", config={"target": "t"})
    _run(post_event, token, {"type": "FailureAlert", "is_warning": True, "print": {"job_key": "1", "filename": "x"}})
    ((kind, title, text, ctx),) = dummy.SENT
    assert kind == "failure_alert" and title == "Printbell - Failure alert!"
    assert text == "Your print <b>x</b> on <i>Ender</i> smells fishy.\nPrinter is NOT paused."


@pytest.mark.django_db
def test_dummy_config_schema_and_secret_handling(dummy, api):
    plugins = api.get("/api/v1/notification_settings/available_plugins/").json()["plugins"]
    schema = {f["name"]: f for f in plugins["dummy"]["config_schema"]["fields"]}
    assert plugins["dummy"]["display_name"] == "Dummy (tests)"
    assert schema["target"]["type"] == "string" and schema["target"]["required"] is True
    assert schema["target"]["placeholder"] == "somewhere"
    assert schema["mode"]["type"] == "choice" and schema["mode"]["default"] == "ok"
    assert {c["value"] for c in schema["mode"]["choices"]} == {"ok", "transient", "permanent", "crash", "unsupported"}
    assert schema["api_key"]["secret"] is True and schema["api_key"]["label"] == "API key"
    assert schema["retries"]["type"] == "integer"
    assert plugins["dummy"]["env_vars"]["DUMMY_CLIENT_ID"]["value"] == "public-client-id"

    created = api.post(
        "/api/v1/notification_settings/",
        {"name": "dummy", "config": {"target": "t", "api_key": SECRET}},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert SECRET.encode() not in created.content
    assert created.json()["config_secrets_set"] == ["api_key"]
    bad = api.post("/api/v1/notification_settings/", {"name": "dummy", "config": {"retries": 9}}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["config"]) == {"target", "retries"}
