"""Plugin discovery: built-in folder, NOTIFICATION_PLUGIN_DIRS, entry points; failures isolated;
first id wins; `manage.py plugins` reports it all."""

from __future__ import annotations

import io
import logging
import textwrap
from pathlib import Path

import pytest
from django.core.management import call_command

from notifications import loader
from notifications.plugin import Feature

from .conftest import PLUGIN_FIXTURES

GOOD = """
from notifications.plugin import BaseNotificationPlugin

class P(BaseNotificationPlugin):
    pass

def __load_plugin__():
    return P()
"""


def _write(root: Path, plugin_id: str, source: str) -> Path:
    folder = root / plugin_id
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(textwrap.dedent(source))
    return folder


def test_builtin_webhook_plugin_loads():
    reg = loader.registry()
    assert "webhook" in reg.loaded
    assert reg.get("webhook").features == frozenset(Feature)
    assert reg.get("webhook").source.endswith("notifications/plugins/webhook")


def test_seed_plugin_loads_from_an_extra_folder(plugin_dirs):
    reg = plugin_dirs(PLUGIN_FIXTURES / "seed")
    seed = reg.get("pushover_seed")
    assert seed is not None, reg.failed
    assert seed.instance.plugin_id == "pushover_seed"
    assert Feature.notify_on_print_start not in seed.features
    assert "webhook" in reg.loaded  # built-ins still there
    # Importable under the seed's package name, with its helper module imported by __init__.
    import notifications.plugins.pushover_seed.helpers as helpers

    assert helpers.clean("  x ") == "x"


def test_broken_plugins_are_reported_and_never_stop_the_others(tmp_path, plugin_dirs, caplog):
    _write(tmp_path, "raises_on_import", "raise RuntimeError('boom at import')")
    _write(tmp_path, "no_loader", "X = 1")
    _write(tmp_path, "wrong_type", "def __load_plugin__():\n    return object()")
    _write(tmp_path, "raises_in_load", "def __load_plugin__():\n    raise ValueError('no config')")
    _write(
        tmp_path,
        "bad_features",
        GOOD.replace("pass", "def supported_features(self):\n        return {'notify_on_print_done'}"),
    )
    _write(tmp_path, "bad_env", GOOD.replace("pass", "def env_vars(self):\n        return ['X']"))
    _write(tmp_path, "syntax_error", "def (:")
    _write(tmp_path, "bad-name", GOOD)
    _write(tmp_path, "healthy", GOOD)
    (tmp_path / "not_a_plugin").mkdir()  # no __init__.py: ignored silently

    with caplog.at_level(logging.ERROR, logger="notifications.loader"):
        reg = plugin_dirs(tmp_path)

    assert {"healthy", "webhook"} <= set(reg.loaded)
    failed = {f.id: f.error for f in reg.failed}
    assert set(failed) == {
        "raises_on_import", "no_loader", "wrong_type", "raises_in_load", "bad_features", "bad_env",
        "syntax_error", "bad-name",
    }  # fmt: skip
    assert "RuntimeError: boom at import" in failed["raises_on_import"]
    assert "no __load_plugin__" in failed["no_loader"]
    assert "not a BaseNotificationPlugin" in failed["wrong_type"]
    assert "ValueError: no config" in failed["raises_in_load"]
    assert "non-Feature" in failed["bad_features"]
    assert "not a dict" in failed["bad_env"]
    assert "SyntaxError" in failed["syntax_error"]
    assert "not a valid plugin id" in failed["bad-name"]
    assert "not_a_plugin" not in failed and "not_a_plugin" not in reg.loaded
    assert any("raises_on_import" in r.getMessage() for r in caplog.records)


def test_first_plugin_with_an_id_wins_with_a_warning(tmp_path, plugin_dirs, caplog):
    first, second = tmp_path / "first", tmp_path / "second"
    _write(first, "twin", GOOD.replace("pass", "display_name = 'first'"))
    _write(second, "twin", GOOD.replace("pass", "display_name = 'second'"))
    _write(second, "webhook", GOOD)  # cannot replace the built-in

    with caplog.at_level(logging.WARNING, logger="notifications.loader"):
        reg = plugin_dirs(first, second)

    assert reg.get("twin").instance.get_display_name() == "first"
    assert reg.get("webhook").source.endswith("notifications/plugins/webhook")
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "'twin'" in messages and "already taken" in messages
    assert "'webhook'" in messages


def _install_dist(root: Path, dist: str, entry_points: str, modules: dict[str, str]) -> None:
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    for name, source in modules.items():
        (root / f"{name}.py").write_text(textwrap.dedent(source))


def test_plugins_from_installed_packages_entry_points(tmp_path, monkeypatch, plugin_dirs):
    _install_dist(
        tmp_path,
        "printbell_ext",
        """
        [printbell.notification_plugins]
        ep_module = pb_ep_module
        ep_class = pb_ep_class:ClassPlugin
        ep_broken = pb_ep_broken
        webhook = pb_ep_module
        """,
        {
            "pb_ep_module": GOOD.replace("pass", "display_name = 'From module'"),
            "pb_ep_class": GOOD.replace("class P(", "class ClassPlugin("),
            "pb_ep_broken": "raise ImportError('missing dependency')",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    reg = plugin_dirs()

    assert reg.get("ep_module").instance.get_display_name() == "From module"
    assert type(reg.get("ep_class").instance).__name__ == "ClassPlugin"
    assert "printbell_ext" in reg.get("ep_module").source
    assert any(f.id == "ep_broken" and "missing dependency" in f.error for f in reg.failed)
    assert reg.get("webhook").source.endswith("notifications/plugins/webhook")


def test_manage_py_plugins_lists_loaded_and_failed(tmp_path, plugin_dirs, monkeypatch):
    monkeypatch.delenv("PUSHOVER_APP_TOKEN", raising=False)
    _write(tmp_path, "kaputt", "raise RuntimeError('kaputt at import')")
    plugin_dirs(PLUGIN_FIXTURES / "seed", tmp_path)
    out, err = io.StringIO(), io.StringIO()

    call_command("plugins", stdout=out, stderr=err)

    text = out.getvalue()
    assert "webhook  (Webhook)" in text
    assert "pushover_seed" in text
    assert "env PUSHOVER_APP_TOKEN: required, MISSING" in text
    assert "features: notify_on_failure_alert, notify_on_filament_change" in text
    assert "kaputt" in text and "RuntimeError: kaputt at import" in text
    assert "1 plugin(s) failed" in err.getvalue()


def test_reload_forgets_plugins_of_removed_folders(tmp_path, plugin_dirs):
    _write(tmp_path, "transient_plugin", GOOD)
    assert "transient_plugin" in plugin_dirs(tmp_path).loaded
    assert "transient_plugin" not in plugin_dirs().loaded


@pytest.mark.parametrize("missing", ["/nonexistent/printbell-plugins"])
def test_missing_plugin_folder_is_a_warning_not_a_crash(missing, plugin_dirs, caplog):
    with caplog.at_level(logging.WARNING, logger="notifications.loader"):
        reg = plugin_dirs(missing)
    assert "webhook" in reg.loaded
    assert any("does not exist" in r.getMessage() for r in caplog.records)
