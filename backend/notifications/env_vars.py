"""A plugin's environment variables as the API shows them: required or not, set or not, and the
value only when it is public."""

from __future__ import annotations

import logging
import os
from typing import Any

from notifications.config_schema import looks_secret

logger = logging.getLogger(__name__)


def public_env_vars(plugin) -> dict[str, dict[str, Any]]:
    try:
        declared = plugin.env_vars() or {}
    except Exception:  # noqa: BLE001
        logger.exception("env_vars() of plugin %s failed", plugin.plugin_id)
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        item: dict[str, Any] = {
            "is_required": bool(spec.get("is_required", False)),
            "is_set": bool(spec.get("is_set", name in os.environ)),
        }
        # The seed asks plugins never to return a secret's value; do not rely on it.
        value = spec.get("value")
        if value is not None and not spec.get("is_secret") and not looks_secret(str(name)):
            if value != "" and not _is_env_secret_value(value):
                # Shown as JSON: anything that is not a plain value is shown as text.
                item["value"] = value if isinstance(value, (str, int, float, bool)) else str(value)
        out[str(name)] = item
    return out


def missing_required(env: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(name for name, spec in env.items() if spec["is_required"] and not spec["is_set"])


def _is_env_secret_value(value: Any) -> bool:
    """True if the value equals the value of any secret-looking environment variable."""
    text = str(value)
    return any(looks_secret(k) and v and v == text for k, v in os.environ.items())
