"""How the result of one send attempt is classified, and how its error is made safe to store."""

from __future__ import annotations

import dataclasses
import errno
import re
import smtplib
import socket
from typing import Iterable

from rest_framework.exceptions import ValidationError

from notifications.errors import NotificationError

SENT = "sent"
TRANSIENT = "transient"
PERMANENT = "permanent"
SKIPPED = "skipped"

MAX_ERROR_CHARS = 2000
_NETWORK_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.ENETDOWN, errno.EHOSTDOWN}
_URL = re.compile(r"\b(https?|wss?|smtps?)://[^\s'\"<>]+", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Outcome:
    kind: str
    error: str = ""
    http_status: int | None = None
    retry_after: float | None = None


def classify(exc: BaseException | None) -> Outcome:
    if exc is None:
        return Outcome(SENT)
    if isinstance(exc, NotImplementedError):
        return Outcome(SKIPPED, "Not supported by this plugin")
    if isinstance(exc, NotificationError):
        kind = TRANSIENT if exc.transient else PERMANENT
        return Outcome(kind, str(exc), exc.status, exc.retry_after)
    if isinstance(exc, ValidationError):
        return Outcome(PERMANENT, f"Invalid configuration: {_flatten(exc.detail)}")
    status = _http_status_of(exc)
    if status is not None:
        transient = status == 429 or status >= 500
        return Outcome(TRANSIENT if transient else PERMANENT, _describe(exc), status, _retry_after_of(exc))
    if _is_network_error(exc):
        return Outcome(TRANSIENT, _describe(exc))
    if isinstance(exc, smtplib.SMTPResponseException):
        return Outcome(TRANSIENT if 400 <= exc.smtp_code < 500 else PERMANENT, _describe(exc))
    return Outcome(PERMANENT, _describe(exc))


def redact(text: str, secrets: Iterable[str]) -> str:
    """Remove secret values, and the path, query and credentials of any URL, from an error."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    text = _URL.sub(_url_origin, text)
    return text[:MAX_ERROR_CHARS]


def _url_origin(match: re.Match) -> str:
    url = match.group(0)
    rest = url.split("://", 1)[1]
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1]
    return f"{match.group(1)}://{host}/…" if len(rest) > len(host) else f"{match.group(1)}://{host}"


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, (list, tuple)):
        return " ".join(_flatten(v) for v in detail)
    return str(detail)


def _http_status_of(exc: BaseException) -> int | None:
    # requests.HTTPError (raise_for_status) carries the response; so do many SDKs' errors.
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    return status if isinstance(status, int) and 400 <= status < 600 else None


def _retry_after_of(exc: BaseException) -> float | None:
    from notifications.http import parse_retry_after

    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    try:
        return parse_retry_after(headers.get("Retry-After"))
    except AttributeError:
        return None


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (TimeoutError, socket.timeout, ConnectionError, socket.gaierror)):
        return True
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    module = type(exc).__module__ or ""
    if module.startswith(("requests", "urllib3", "httpx")):
        name = type(exc).__name__
        return any(k in name for k in ("Connection", "Timeout", "Protocol", "SSL", "ReadError", "NetworkError"))
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS
