"""A real HTTP server on loopback that stands in for a provider's API: it records every request
and answers with what the test scripted (default: 200)."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclasses.dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float  # time.monotonic()
    peer: tuple = ()  # (host, port) of the client connection

    def json(self) -> Any:
        return json.loads(self.body)


@dataclasses.dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to provoke client timeouts)


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: deque[Reply] = deque()
        self.default = Reply()
        self._cond = threading.Condition()
        self._gate = threading.Event()
        self._gate.set()
        self.in_flight = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                item = Received(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.monotonic(),
                    tuple(self.client_address),
                )
                with receiver._cond:
                    receiver.requests.append(item)
                    receiver.in_flight += 1
                    reply = receiver._replies.popleft() if receiver._replies else receiver.default
                    receiver._cond.notify_all()
                try:
                    receiver._gate.wait(120)
                    if reply.delay:
                        threading.Event().wait(reply.delay)
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client went away (timeout, killed worker)
                finally:
                    with receiver._cond:
                        receiver.in_flight -= 1
                        receiver._cond.notify_all()

            do_POST = do_GET = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, name="receiver", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with these, in order; then with `default`."""
        with self._cond:
            self._replies.extend(replies)

    def hold(self) -> None:
        """Keep every request waiting (unanswered) until `release()`."""
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """Block until at least `count` requests have arrived; fail the test if they do not."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"expected {count} request(s) within {timeout}s, got {len(self.requests)}")
            return list(self.requests)

    def wait_in_flight(self, count: int, timeout: float = 15.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.in_flight >= count, timeout):
                raise AssertionError(f"expected {count} request(s) in flight, got {self.in_flight}")

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
