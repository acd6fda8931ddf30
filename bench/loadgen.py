"""Posts printer events to Printbell over keep-alive HTTP/1.1 connections, as its own process
(so it does not share a GIL with the harness or the receiver).

Modes:
- `burst`: `events` events as fast as `concurrency` connections allow; each connection sends its
  next event when the previous one was answered (closed loop).
- `rate`: open loop; event i is sent at start + i / rate on whichever connection is free (more are
  opened as needed, up to `concurrency`), whether or not earlier ones have been answered.

Every event is a PrintDone of its own print with an idempotency key, so a request retried after a
dropped keep-alive connection cannot create a second event. Connections are opened before the
clock starts.

Input: a JSON spec on stdin: {"url", "tokens": [...], "mode", "events", "concurrency", "rate",
"run", optionally "path"}. Output, on stdout: {"events": [[i, event_id, t_send, t_done, status], ...], "errors": [...],
"t_start": t}; times are `time.monotonic()`.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

PATH = "/api/v1/printer/events/"


def event_body(run: str, i: int) -> bytes:
    return json.dumps(
        {
            "type": "PrintDone",
            "id": f"{run}-{i}",
            "print": {"job_key": f"{run}-{i}", "filename": f"benchy-{run}-{i:06d}.gcode"},
        },
        separators=(",", ":"),
    ).encode()


class Conn:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def _once(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            body = bytearray()
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
            body = bytes(body)
        else:
            body = await self.reader.readexactly(int(headers.get(b"content-length", b"0")))
        if headers.get(b"connection") == b"close":
            self.close()
        return status, body

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        try:
            return await self._once(raw)
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            # The server closed an idle keep-alive connection; the idempotency key makes a retry safe.
            self.close()
            return await self._once(raw)


class Generator:
    def __init__(self, spec: dict) -> None:
        parts = urlsplit(spec["url"])
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.tokens: list[str] = spec["tokens"]
        self.path: str = spec.get("path", PATH)
        self.run = spec["run"]
        self.results: list[list] = []
        self.errors: list[str] = []

    def raw(self, i: int) -> bytes:
        body = event_body(self.run, i)
        token = self.tokens[i % len(self.tokens)]
        return (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    async def send(self, conn: Conn, i: int) -> None:
        raw = self.raw(i)
        t_send = time.monotonic()
        try:
            status, body = await conn.request(raw)
        except Exception as exc:  # noqa: BLE001 - recorded and reported
            self.errors.append(f"event {i}: {type(exc).__name__}: {exc}")
            conn.close()
            self.results.append([i, None, t_send, time.monotonic(), 0])
            return
        t_done = time.monotonic()
        event_id = None
        if status == 202:  # 200 would mean "a duplicate of an earlier event": not what was asked
            try:
                event_id = json.loads(body)["id"]
            except (ValueError, KeyError, TypeError):
                self.errors.append(f"event {i}: unreadable answer {body[:200]!r}")
        else:
            self.errors.append(f"event {i}: HTTP {status}: {body[:300]!r}")
        self.results.append([i, event_id, t_send, t_done, status])

    async def burst(self, events: int, concurrency: int) -> float:
        conns = [Conn(self.host, self.port) for _ in range(max(1, min(concurrency, events)))]
        await asyncio.gather(*(c.open() for c in conns))
        counter = iter(range(events))

        async def lane(conn: Conn) -> None:
            for i in counter:
                await self.send(conn, i)

        t_start = time.monotonic()
        await asyncio.gather(*(lane(c) for c in conns))
        for c in conns:
            c.close()
        return t_start

    async def paced(self, events: int, rate: float, concurrency: int) -> float:
        idle: list[Conn] = [Conn(self.host, self.port) for _ in range(min(4, concurrency))]
        await asyncio.gather(*(c.open() for c in idle))
        opened = len(idle)
        freed = asyncio.Condition()
        tasks = []

        async def one(i: int) -> None:
            nonlocal opened
            async with freed:
                while not idle and opened >= concurrency:
                    await freed.wait()
                if idle:
                    conn = idle.pop()
                else:
                    conn = Conn(self.host, self.port)
                    opened += 1
            await self.send(conn, i)
            async with freed:
                idle.append(conn)
                freed.notify()

        t_start = time.monotonic()
        for i in range(events):
            delay = t_start + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(one(i)))
        await asyncio.gather(*tasks)
        for c in idle:
            c.close()
        return t_start


async def main() -> None:
    spec = json.load(sys.stdin)
    gen = Generator(spec)
    if spec["mode"] == "burst":
        t_start = await gen.burst(spec["events"], spec["concurrency"])
    else:
        t_start = await gen.paced(spec["events"], spec["rate"], spec["concurrency"])
    gen.results.sort()
    json.dump(
        {"events": gen.results, "errors": gen.errors[:50], "error_count": len(gen.errors), "t_start": t_start},
        sys.stdout,
    )


if __name__ == "__main__":
    asyncio.run(main())
