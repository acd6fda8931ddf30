"""Secret tokens that are shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_token(prefix: str) -> str:
    """A fresh random token such as `pbp_3kP...` (256 bits of randomness)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    """The value stored in the database. Tokens are long and random, so a plain SHA-256 is the
    right tool: a slow password hash would only slow every request down."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def display_prefix(token: str) -> str:
    """The first characters of a token, safe to show so the owner can tell tokens apart."""
    return token[:8]


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
