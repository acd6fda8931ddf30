"""Registry-wide checks: every built-in plugin declares what it must (Apprise-style)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from notifications import loader
from notifications.config_schema import config_schema
from notifications.plugin import BaseNotificationPlugin, Feature

BUILTIN = sorted(p.name for p in loader.BUILTIN_DIR.iterdir() if (p / "__init__.py").is_file())


def test_every_builtin_folder_loads():
    reg = loader.registry()
    assert BUILTIN, "no built-in plugins found"
    assert [f for f in reg.failed if f.id in BUILTIN] == []
    assert set(BUILTIN) <= set(reg.loaded)


@pytest.mark.parametrize("plugin_id", BUILTIN)
def test_builtin_plugin_declares_what_it_must(plugin_id):
    plugin = loader.registry().get(plugin_id).instance
    assert isinstance(plugin, BaseNotificationPlugin)
    assert plugin.display_name, "built-in plugins name themselves for the UI"
    features = plugin.supported_features()
    assert features and all(isinstance(f, Feature) for f in features)
    for name, spec in plugin.env_vars().items():
        assert name.isupper() and {"is_required", "is_set"} <= set(spec)
    assert type(plugin).send_test_message is not BaseNotificationPlugin.send_test_message, "every channel can be tested"
    if plugin.config_serializer_class is not None:
        schema = config_schema(plugin)
        assert schema["fields"] and all(f["label"] and f["type"] for f in schema["fields"])


@pytest.mark.parametrize("plugin_id", BUILTIN)
def test_builtin_plugins_use_the_one_http_wrapper(plugin_id):
    """Outbound HTTP goes through notifications.http, so every plugin gets the same timeouts."""
    forbidden = {"requests", "urllib3", "httpx", "urllib.request", "http.client", "aiohttp"}
    for source in (loader.BUILTIN_DIR / plugin_id).rglob("*.py"):
        tree = ast.parse(Path(source).read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            bad = [n for n in names if n in forbidden or n.split(".")[0] in forbidden - {"urllib", "http"}]
            assert not bad, f"{source} imports {bad}; use notifications.http"
