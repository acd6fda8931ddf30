"""Finds and loads notification plugins, in this order (the first plugin with an id wins):

1. the folders of `notifications/plugins/`;
2. the folders inside each directory of `NOTIFICATION_PLUGIN_DIRS`;
3. the `printbell.notification_plugins` entry-point group of installed packages.

Folder plugins are imported as `notifications.plugins.<id>`, wherever their folder lies, so a
plugin's own absolute and relative imports both work. A plugin that fails to import or to load is
recorded with its error and never stops the others from loading.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.metadata
import logging
import sys
import threading
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings

import notifications.plugins as plugins_package
from notifications.plugin import BaseNotificationPlugin, Feature

logger = logging.getLogger(__name__)

BUILTIN_DIR = Path(plugins_package.__file__).resolve().parent
PACKAGE = plugins_package.__name__


@dataclasses.dataclass(frozen=True)
class LoadedPlugin:
    id: str
    instance: BaseNotificationPlugin
    source: str
    features: frozenset[Feature]

    @property
    def name(self) -> str:  # the seed system's name for the id
        return self.id


@dataclasses.dataclass(frozen=True)
class FailedPlugin:
    id: str
    source: str
    error: str
    traceback: str = ""


@dataclasses.dataclass
class PluginRegistry:
    loaded: dict[str, LoadedPlugin] = dataclasses.field(default_factory=dict)
    failed: list[FailedPlugin] = dataclasses.field(default_factory=list)

    def get(self, plugin_id: str) -> LoadedPlugin | None:
        return self.loaded.get(plugin_id)

    def __contains__(self, plugin_id: str) -> bool:
        return plugin_id in self.loaded


_lock = threading.Lock()
_registry: PluginRegistry | None = None


def registry() -> PluginRegistry:
    """The plugins of this process, loaded on first use."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                _registry = _load_all()
    return _registry


def reload() -> PluginRegistry:
    """Forget every loaded plugin and load them again (settings may have changed)."""
    global _registry
    with _lock:
        _forget_plugin_modules()
        _registry = _load_all()
    return _registry


def _forget_plugin_modules() -> None:
    for name in [n for n in sys.modules if n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()


def _load_all() -> PluginRegistry:
    reg = PluginRegistry()
    extra_dirs = [Path(d).expanduser().resolve() for d in settings.NOTIFICATION_PLUGIN_DIRS]
    plugins_package.__path__[:] = [str(BUILTIN_DIR), *(str(d) for d in extra_dirs)]

    for directory in [BUILTIN_DIR, *extra_dirs]:
        if not directory.is_dir():
            logger.warning("Plugin folder %s does not exist; skipped.", directory)
            continue
        for folder in sorted(directory.iterdir()):
            if folder.name.startswith((".", "_")) or not (folder / "__init__.py").is_file():
                continue
            source = str(folder)
            if not folder.name.isidentifier():
                _fail(reg, folder.name, source, f"folder name {folder.name!r} is not a valid plugin id")
            elif _claim(reg, folder.name, source):
                _load_one(reg, folder.name, source, lambda f=folder: _load_folder(f))

    for ep in _entry_points():
        source = f"entry point {ep.value}" + (f" ({ep.dist.name})" if ep.dist else "")
        if _claim(reg, ep.name, source):
            _load_one(reg, ep.name, source, lambda ep=ep: _from_object(ep.load()))
    return reg


def _claim(reg: PluginRegistry, plugin_id: str, source: str) -> bool:
    """True if no plugin has this id yet; else warn and keep the first."""
    first = reg.loaded.get(plugin_id) or next((f for f in reg.failed if f.id == plugin_id), None)
    if first is None:
        return True
    logger.warning("Plugin id %r from %s ignored: the id is already taken by %s.", plugin_id, source, first.source)
    return False


def _load_folder(folder: Path) -> BaseNotificationPlugin:
    module_name = f"{PACKAGE}.{folder.name}"
    module = importlib.import_module(module_name)
    found = Path(module.__file__ or "").resolve().parent
    if found != folder.resolve():  # pragma: no cover - guarded by _claim
        raise ImportError(f"{module_name} resolved to {found}, not {folder}")
    return _from_object(module)


def _from_object(obj: Any) -> BaseNotificationPlugin:
    if isinstance(obj, ModuleType):
        loader = getattr(obj, "__load_plugin__", None)
        if loader is None:
            raise AttributeError(f"module {obj.__name__} has no __load_plugin__() function")
        return loader()
    if isinstance(obj, BaseNotificationPlugin):
        return obj
    if callable(obj):
        return obj()
    raise TypeError(f"{obj!r} is not a plugin, a plugin factory or a plugin module")


def _load_one(reg: PluginRegistry, plugin_id: str, source: str, load) -> None:
    try:
        instance = load()
        if not isinstance(instance, BaseNotificationPlugin):
            raise TypeError(
                f"__load_plugin__() returned {type(instance).__name__}, not a BaseNotificationPlugin instance"
            )
        instance.plugin_id = plugin_id
        features = frozenset(instance.supported_features())
        bad = [f for f in features if not isinstance(f, Feature)]
        if bad:
            raise TypeError(f"supported_features() returned non-Feature values: {bad!r}")
        env = instance.env_vars()
        if not isinstance(env, dict):
            raise TypeError(f"env_vars() returned {type(env).__name__}, not a dict")
    except Exception as exc:  # noqa: BLE001 - a broken plugin must never take the others down
        _fail(reg, plugin_id, source, f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return
    reg.loaded[plugin_id] = LoadedPlugin(plugin_id, instance, source, features)
    logger.debug("Loaded notification plugin %r from %s", plugin_id, source)


def _fail(reg: PluginRegistry, plugin_id: str, source: str, error: str, tb: str = "") -> None:
    logger.error("Notification plugin %r from %s failed to load: %s", plugin_id, source, error)
    reg.failed.append(FailedPlugin(plugin_id, source, error, tb))


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    try:
        return list(importlib.metadata.entry_points(group=settings.NOTIFICATION_PLUGIN_ENTRY_POINT_GROUP))
    except Exception:  # noqa: BLE001 - a broken distribution's metadata must not stop startup
        logger.exception("Could not read plugin entry points")
        return []
