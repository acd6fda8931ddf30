"""A plugin's config described as data (from its `config_serializer_class`), so that a generic
form can render it, and the list of which config fields are secrets."""

from __future__ import annotations

import os
from typing import Any

from rest_framework import fields as f

from notifications.plugin import BaseNotificationPlugin

_TYPES: list[tuple[type, str]] = [
    (f.BooleanField, "boolean"),
    (f.URLField, "url"),
    (f.EmailField, "email"),
    (f.IntegerField, "integer"),
    (f.FloatField, "number"),
    (f.DecimalField, "number"),
    (f.MultipleChoiceField, "multiple_choice"),
    (f.ChoiceField, "choice"),
    (f.ListField, "list"),
    (f.DictField, "object"),
    (f.CharField, "string"),
]


def _serializer(plugin: BaseNotificationPlugin):
    cls = getattr(plugin, "config_serializer_class", None)
    return cls() if cls is not None else None


def _is_secret(field: f.Field) -> bool:
    return bool(field.write_only or (field.style or {}).get("input_type") == "password")


def secret_fields(plugin: BaseNotificationPlugin) -> set[str]:
    serializer = _serializer(plugin)
    if serializer is None:
        return set()
    return {name for name, field in serializer.fields.items() if _is_secret(field)}


def config_schema(plugin: BaseNotificationPlugin) -> dict[str, Any] | None:
    serializer = _serializer(plugin)
    if serializer is None:
        return None
    out = []
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        kind = next((t for cls, t in _TYPES if isinstance(field, cls)), "string")
        item: dict[str, Any] = {
            "name": name,
            "type": kind,
            "label": str(field.label or name.replace("_", " ").capitalize()),
            "help_text": str(field.help_text or ""),
            "required": bool(field.required),
            "secret": _is_secret(field),
            "placeholder": str((field.style or {}).get("placeholder", "")),
        }
        if field.default is not f.empty and not callable(field.default):
            item["default"] = field.default
        if isinstance(field, f.ChoiceField):
            item["choices"] = [{"value": k, "label": str(v)} for k, v in field.choices.items()]
        if isinstance(field, f.CharField) and field.max_length:
            item["max_length"] = field.max_length
        out.append(item)
    return {"fields": out}


def _hidden(plugin: BaseNotificationPlugin | None, config: dict) -> set[str]:
    """The config fields never sent back: the plugin's secret fields or, when the plugin is not
    loaded (so its fields are unknown), every field whose name looks like a credential."""
    if plugin is None:
        return {k for k in (config or {}) if looks_secret(k)}
    return secret_fields(plugin)


def public_config(plugin: BaseNotificationPlugin | None, config: dict) -> dict:
    """The config without its secret fields: what may be sent back to the browser."""
    hidden = _hidden(plugin, config)
    return {k: v for k, v in (config or {}).items() if k not in hidden}


def secrets_set(plugin: BaseNotificationPlugin | None, config: dict) -> list[str]:
    hidden = _hidden(plugin, config)
    return sorted(k for k in hidden if (config or {}).get(k))


def keep_unsent_secrets(plugin: BaseNotificationPlugin, old: dict, new: dict) -> dict:
    """On update, a secret the browser did not send back keeps its stored value."""
    merged = dict(new)
    for key in secret_fields(plugin):
        if key not in merged and key in (old or {}):
            merged[key] = old[key]
    return merged


def secret_values(plugin: BaseNotificationPlugin | None, config: dict) -> list[str]:
    """Values that must never reach a log, a response or the delivery log: the channel's secret
    fields, every string in its config that looks like a credential, and the plugin's env vars."""
    values = []
    for key, value in (config or {}).items():
        if isinstance(value, str) and ((plugin is not None and key in secret_fields(plugin)) or looks_secret(key)):
            values.append(value)
    if plugin is not None:
        try:
            names = list((plugin.env_vars() or {}).keys())
        except Exception:  # noqa: BLE001
            names = []
        values.extend(os.environ.get(name, "") for name in names)
    return [v for v in values if v]


_SECRET_WORDS = (
    "SECRET",
    "TOKEN",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "CREDENTIAL",
    "PRIVATE",
    "API_KEY",
    "APIKEY",
    "AUTH",
    "KEY",
)


def looks_secret(name: str) -> bool:
    upper = name.upper()
    if upper.endswith(("_ID", "_URL", "_HOST", "_PORT", "_NAME")) and "SECRET" not in upper:
        return False
    return any(word in upper for word in _SECRET_WORDS)
