"""A fast loopback HTTP/1.1 receiver for the benchmark, run as its own process.

It answers every request with `200 ok` at once (keep-alive, Content-Length or chunked bodies) and
records, per request, the time its bytes arrived (`time.monotonic()`, which on Linux is one clock
for every process on the machine), its path and its delivery id (`X-Printbell-Delivery`, else
`X-Bench-Id`, else none). It keeps one sample request (headers and body) per first path segment.

Control, on the same port:
  GET /_bench/count          -> {"count": n}            requests recorded since the last clear
  GET /_bench/dump?clear=1   -> {"records": [[t, path, id], ...], "samples": {...}}

Usage: python bench/receiver.py [--port 0]; prints `PORT <n>` on its first line of output.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time

RESPONSE_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
RESPONSE_OK_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
MAX_HEAD = 64 * 1024


class State:
    def __init__(self) -> None:
        self.records: list[tuple[float, str, str | None]] = []
        self.samples: dict[str, dict] = {}

    def control(self, target: str) -> bytes:
        path, _, query = target.partition("?")
        if path == "/_bench/count":
            payload = {"count": len(self.records)}
        elif path == "/_bench/dump":
            payload = {"records": self.records, "samples": self.samples}
            if "clear=1" in query:
                self.records = []
                self.samples = {}
        else:
            payload = {"error": "unknown control path"}
        body = json.dumps(payload).encode()
        return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _chunked(buf: bytearray, start: int) -> tuple[bytes, int] | None:
    """Decode a chunked body starting at `start`; (body, end) or None if incomplete."""
    out = bytearray()
    pos = start
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        size = int(bytes(buf[pos:eol]).split(b";", 1)[0].strip() or b"0", 16)
        pos = eol + 2
        if size == 0:
            end = buf.find(b"\r\n\r\n", pos - 2)  # no trailers expected: the final CRLF
            if end < 0:
                return None
            return bytes(out), end + 4
        if len(buf) < pos + size + 2:
            return None
        out += buf[pos : pos + size]
        pos += size + 2


class Http(asyncio.Protocol):
    def __init__(self, state: State) -> None:
        self.state = state
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()  # when the bytes arrived, before any parsing
        self.buf += data
        while self.transport is not None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEAD:
                    self.transport.close()
                return
            lines = bytes(self.buf[:end]).split(b"\r\n")
            try:
                method, target, version = lines[0].split(b" ", 2)
            except ValueError:
                self.transport.close()
                return
            headers: dict[bytes, bytes] = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
                decoded = _chunked(self.buf, end + 4)
                if decoded is None:
                    return
                body, stop = decoded
            else:
                length = int(headers.get(b"content-length", b"0") or 0)
                stop = end + 4 + length
                if len(self.buf) < stop:
                    return
                body = bytes(self.buf[end + 4 : stop])
            del self.buf[:stop]

            path = target.decode("latin-1")
            if path.startswith("/_bench/"):
                self.transport.write(self.state.control(path))
                continue
            key = headers.get(b"x-printbell-delivery") or headers.get(b"x-bench-id")
            self.state.records.append((now, path, key.decode("latin-1") if key else None))
            group = path.split("?", 1)[0].split("/", 2)[1] if path.startswith("/") else path
            if group not in self.state.samples:
                self.state.samples[group] = {
                    "method": method.decode("latin-1"),
                    "path": path,
                    "headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in headers.items()},
                    "body": body.decode("utf-8", "replace"),
                    "body_bytes": len(body),
                }
            close = headers.get(b"connection", b"").lower() == b"close" or (
                version == b"HTTP/1.0" and headers.get(b"connection", b"").lower() != b"keep-alive"
            )
            if close:
                self.transport.write(RESPONSE_OK_CLOSE)
                self.transport.close()
                return
            self.transport.write(RESPONSE_OK)


async def main(port: int) -> None:
    loop = asyncio.get_running_loop()
    state = State()
    server = await loop.create_server(lambda: Http(state), "127.0.0.1", port, backlog=1024, reuse_address=True)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(main(args.port))
    sys.exit(0)
