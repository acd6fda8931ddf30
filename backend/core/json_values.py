"""Whether a JSON value can be stored in a JSON column on every supported database."""

from __future__ import annotations

import math
from typing import Any


def unstorable(value: Any, max_depth: int = 20, depth: int = 0) -> str | None:
    """Why this value cannot be stored (PostgreSQL's jsonb refuses NUL characters, lone
    surrogates and Infinity; SQLite's JSON refuses Infinity; deep nesting breaks encoders), or
    None if it can."""
    if depth > max_depth:
        return f"Must not be nested more than {max_depth} levels deep."
    if isinstance(value, float) and not math.isfinite(value):
        return "Numbers must be finite."
    if isinstance(value, str):
        if "\x00" in value:
            return "Null characters are not allowed."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Surrogate characters are not allowed."
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in children:
        problem = (unstorable(key) if isinstance(key, str) else None) or unstorable(item, max_depth, depth + 1)
        if problem:
            return problem
    return None
