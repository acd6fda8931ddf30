"""A plugin written word for word from the seed tutorial, dropped in a NOTIFICATION_PLUGIN_DIRS
folder, loads and receives fully filled contexts; its ValidationError becomes a 400."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest

from notifications.plugin import (
    FailureAlertContext,
    Feature,
    PrintContext,
    PrinterContext,
    PrinterNotificationContext,
    UserContext,
)
from notifications.plugin import TestMessageContext as SeedTestMessageContext
from tests.support.queue import drain

from .conftest import PLUGIN_FIXTURES

SEED_DIR = PLUGIN_FIXTURES / "seed"


@pytest.fixture
def seed(plugin_dirs):
    plugin_dirs(SEED_DIR)
    import notifications.plugins.pushover_seed as module

    module.RECEIVED.clear()
    return module


def _channel(api, **config):
    return api.post("/api/v1/notification_settings/", {"name": "pushover_seed", "config": config}, format="json")


@pytest.mark.django_db
def test_validate_config_cleans_and_its_validation_error_is_a_400(seed, api):
    ok = _channel(api, user_key="  u-123  ")
    assert ok.status_code == 201, ok.content
    assert ok.json()["config"] == {"user_key": "u-123"}

    bad = _channel(api, wrong="x")
    assert bad.status_code == 400
    assert bad.json() == {"config": ["user_key is missing from config"]}


def _assert_user(u: UserContext, user):
    assert isinstance(u, UserContext)
    assert (u.id, u.email, u.first_name, u.last_name) == (user.id, "alice@example.com", "Alice", "Liddell")
    assert u.unsub_token == str(user.unsub_token) and len(u.unsub_token) == 36
    assert isinstance(u.dh_balance, float) and u.is_pro is True


def _assert_printer(p: PrinterContext, printer):
    assert isinstance(p, PrinterContext)
    assert (p.id, p.name, p.pause_on_failure, p.watching_enabled) == (printer.id, "Voron 2.4", True, True)


def _assert_print(p: PrintContext, *, ended: bool):
    assert isinstance(p, PrintContext)
    assert p.id > 0 and p.filename == "gear <v2>.gcode"
    assert isinstance(p.started_at, datetime.datetime)
    assert isinstance(p.alerted_at, datetime.datetime)
    assert isinstance(p.ended_at, datetime.datetime) if ended else p.ended_at is None
    assert p.alert_overwrite == ""


@pytest.mark.django_db(transaction=True)
def test_seed_plugin_receives_every_documented_field(seed, api, user, make_printer, post_event):
    printer, token = make_printer(user, name="Voron 2.4", pause_on_failure=True)
    assert _channel(api, user_key="u-123").status_code == 201
    job = {"job_key": "job-7", "filename": "gear <v2>.gcode", "started_at": "2026-12-01T10:00:00Z"}

    r1 = post_event(
        token,
        {"type": "FailureAlert", "is_warning": True, "print_paused": True, "print": job,
         "img_url": "https://cam.example/snap.jpg"},
    )  # fmt: skip
    drain()
    r2 = post_event(
        token,
        {"type": "PrintDone", "print": job, "extra": {"heater_name": "bed"}, "img_url": "https://cam.example/2.jpg"},
    )
    r3 = post_event(token, {"type": "PrintStarted", "print": job})  # not a supported feature
    assert (r1.status_code, r2.status_code, r3.status_code) == (202, 202, 202)
    drain()

    kinds = [kind for kind, _ in seed.RECEIVED]
    assert kinds == ["failure_alert", "printer_notification"]
    (_, alert), (_, note) = seed.RECEIVED

    assert isinstance(alert, FailureAlertContext)
    assert alert.config == {"user_key": "u-123"}
    _assert_user(alert.user, user)
    _assert_printer(alert.printer, printer)
    _assert_print(alert.print, ended=False)
    assert alert.img_url == "https://cam.example/snap.jpg"
    assert alert.is_warning is True and alert.print_paused is True
    assert isinstance(alert.extra_context, dict) and alert.extra_context["event_id"] == r1.json()["id"]

    assert isinstance(note, PrinterNotificationContext)
    assert note.config == {"user_key": "u-123"}
    _assert_user(note.user, user)
    _assert_printer(note.printer, printer)
    _assert_print(note.print, ended=True)
    assert note.img_url == "https://cam.example/2.jpg"
    assert note.feature is Feature.notify_on_print_done
    assert note.notification_type == "PrintDone"
    assert note.extra_context["heater_name"] == "bed"
    assert note.extra_context["delivery_id"]


@pytest.mark.django_db
def test_seed_plugin_test_message(seed, api, user):
    channel_id = _channel(api, user_key="u-1").json()["id"]
    resp = api.post(f"/api/v1/notification_settings/{channel_id}/send_test_message/")
    assert resp.status_code == 200, resp.content
    ((kind, ctx),) = seed.RECEIVED
    assert kind == "test_message"
    assert isinstance(ctx, SeedTestMessageContext)
    assert ctx.config == {"user_key": "u-1"}
    _assert_user(ctx.user, user)


@pytest.mark.django_db
def test_env_var_status_reaches_the_api(seed, api, monkeypatch):
    monkeypatch.delenv("PUSHOVER_APP_TOKEN", raising=False)
    plugins = api.get("/api/v1/notification_settings/available_plugins/").json()["plugins"]
    assert plugins["pushover_seed"]["env_vars"] == {"PUSHOVER_APP_TOKEN": {"is_required": True, "is_set": False}}
    assert plugins["pushover_seed"]["missing_env_vars"] == ["PUSHOVER_APP_TOKEN"]
    assert plugins["pushover_seed"]["config_schema"] is None
    assert "notify_on_print_start" not in plugins["pushover_seed"]["features"]

    monkeypatch.setenv("PUSHOVER_APP_TOKEN", "s3cr3t-app-token")
    resp = api.get("/api/v1/notification_settings/available_plugins/")
    assert resp.json()["plugins"]["pushover_seed"]["missing_env_vars"] == []
    assert b"s3cr3t-app-token" not in resp.content


def test_env_vars_are_read_from_a_dotenv_file(tmp_path):
    """The seed's plugin checks os.environ; a variable set only in .env must be seen."""
    env_file = tmp_path / ".env"
    env_file.write_text("PUSHOVER_APP_TOKEN=from-dotenv\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PUSHOVER_APP_TOKEN", "DJANGO_SETTINGS_MODULE")}
    env.update(
        PRINTBELL_ENV_FILE=str(env_file),
        NOTIFICATION_PLUGIN_DIRS=str(SEED_DIR),
        DATA_DIR=str(tmp_path / "data"),
    )
    manage = [sys.executable, "backend/manage.py", "plugins"]
    with_file = subprocess.run(manage, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert "env PUSHOVER_APP_TOKEN: required, set" in with_file.stdout

    env["PRINTBELL_ENV_FILE"] = str(tmp_path / "missing.env")
    without = subprocess.run(manage, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert "env PUSHOVER_APP_TOKEN: required, MISSING" in without.stdout
