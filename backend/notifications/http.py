"""The one place Printbell makes outbound HTTP requests. Every plugin that uses it gets the same
connection reuse, timeouts, response-size limit and error classification:

- connection errors, timeouts, HTTP 5xx and 429 raise `TransientError` (retried; a 429's or 503's
  Retry-After is passed on);
- other HTTP 4xx raise `PermanentError` (not retried).

Error messages name the host, never the path or query, which often carry tokens.
"""

from __future__ import annotations

import dataclasses
import email.utils
import json as jsonlib
import os
import threading
import time
from typing import Any, Mapping
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from notifications.errors import PermanentError, TransientError

USER_AGENT = "Printbell/1.0 (+https://github.com/printbell)"
_pool_lock = threading.Lock()
_pool: urllib3.PoolManager | None = None
_pool_pid: int | None = None


@dataclasses.dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool = False

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.body)


def pool() -> urllib3.PoolManager:
    """The process's connection pool (recreated after a fork)."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        with _pool_lock:
            if _pool is None or _pool_pid != os.getpid():
                _pool = urllib3.PoolManager(
                    num_pools=200,
                    maxsize=max(4, settings.WORKER_THREADS),
                    retries=False,
                )
                _pool_pid = os.getpid()
    return _pool


def origin(url: str) -> str:
    """`scheme://host[:port]` of a URL: what may be shown in errors and logs."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def request(
    method: str,
    url: str,
    *,
    json: Any = None,
    body: bytes | str | None = None,
    fields: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
    max_response_bytes: int | None = None,
    raise_for_status: bool = True,
) -> Response:
    """Send one request and read at most `max_response_bytes` of the answer.

    `json` sends a JSON body; `fields` a multipart form, where a value may be a
    `(filename, bytes, content_type)` tuple for a file; `body` raw bytes.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentError(f"Not an http(s) URL: {origin(url) if parts.hostname else 'missing host'}")
    limit = max_response_bytes or settings.OUTBOUND_MAX_RESPONSE_BYTES
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    if json is not None:
        body = jsonlib.dumps(json, separators=(",", ":"), default=str).encode()
        all_headers.setdefault("Content-Type", "application/json")
    read_timeout = timeout if timeout is not None else settings.OUTBOUND_READ_TIMEOUT
    to = urllib3.Timeout(connect=min(settings.OUTBOUND_CONNECT_TIMEOUT, read_timeout), read=read_timeout)
    where = origin(url)
    try:
        if fields is not None:
            resp = pool().request(
                method,
                url,
                fields=dict(fields),
                headers=all_headers,
                timeout=to,
                preload_content=False,
                redirect=False,
            )
        else:
            resp = pool().urlopen(
                method,
                url,
                body=body,
                headers=all_headers,
                timeout=to,
                preload_content=False,
                redirect=False,
                assert_same_host=False,
            )
        try:
            data = resp.read(limit + 1)
        except BaseException:
            resp.close()
            raise
        if len(data) > limit:
            resp.close()  # the rest is not wanted; do not reuse a half-read connection
        else:
            resp.release_conn()
    except urllib3.exceptions.NameResolutionError:
        raise TransientError(f"Could not resolve the host of {where}") from None
    except urllib3.exceptions.NewConnectionError as exc:  # a subclass of the timeout error: first
        raise TransientError(f"Could not connect to {where}: {_reason(exc)}") from None
    except urllib3.exceptions.TimeoutError:
        raise TransientError(f"No answer from {where} within {read_timeout:g} s") from None
    except urllib3.exceptions.SSLError as exc:
        raise TransientError(f"TLS error talking to {where}: {_reason(exc)}") from None
    except urllib3.exceptions.HTTPError as exc:
        raise TransientError(f"Connection to {where} failed: {type(exc).__name__}") from None

    truncated = len(data) > limit
    response = Response(resp.status, dict(resp.headers), data[:limit], truncated)
    if raise_for_status:
        check_status(response, where)
    return response


def check_status(response: Response, where: str) -> None:
    status = response.status
    if status < 400:
        return
    snippet = " ".join(response.text[:300].split())
    message = f"{where} answered HTTP {status}" + (f": {snippet}" if snippet else "")
    if status == 429 or status >= 500:
        raise TransientError(message, status=status, retry_after=parse_retry_after(response.headers.get("Retry-After")))
    raise PermanentError(message, status=status)


def post_json(url: str, payload: Any, **kwargs: Any) -> Response:
    return request("POST", url, json=payload, **kwargs)


def get(url: str, **kwargs: Any) -> Response:
    return request("GET", url, **kwargs)


def _reason(exc: Exception) -> str:
    text = str(exc)
    # urllib3 puts the pool repr first ("<HTTPConnection ...>: Failed to establish ..."); keep the end.
    for marker in ("[Errno", "Failed to establish"):
        if marker in text:
            return text[text.index(marker) :].rstrip(")'\"")
    return type(exc).__name__
