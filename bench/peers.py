"""The yardsticks, each run as its own process against the benchmark's receiver:

- `raw`: one keep-alive Python HTTP client (a urllib3 PoolManager with one connection) POSTing
  the very body and headers Printbell's webhook sent, one request after another. This is the
  floor of what any Python sender can do per connection; Printbell pays it once per delivery.
- `apprise`: Apprise (the peer) sending notifications to a `json://` URL on the receiver, with a
  message padded so that its JSON body is the same size as Printbell's webhook body, either one
  after another (`--threads 1`) or from a thread pool (one Apprise object per thread).

Prints one JSON object: {"mode", "count", "ok", "seconds", "per_s", "body_bytes"}.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def run_raw(url: str, count: int, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
    import urllib3

    pool = urllib3.PoolManager(maxsize=1, retries=False)
    ok = 0
    t0 = time.monotonic()
    for i in range(count):
        resp = pool.request("POST", url, body=body, headers={**headers, "X-Bench-Id": f"raw-{i}"})
        ok += resp.status == 200
    return ok, time.monotonic() - t0


def apprise_payload_size(title: str, message: str) -> int:
    # What apprise's custom_json plugin sends (apprise 1.x/2.x): version, title, message,
    # attachments, type, dumped with json.dumps defaults.
    return len(json.dumps({"version": "1.0", "title": title, "message": message, "attachments": [], "type": "info"}))


def run_apprise(url: str, count: int, body_bytes: int, threads: int) -> tuple[int, float, int]:
    import apprise

    logging.getLogger("apprise").setLevel(logging.ERROR)
    title = "Printbell benchmark"
    base = "Print done: benchy.gcode on Printer 1. "
    pad = max(0, body_bytes - apprise_payload_size(title, base))
    message = base + "x" * pad
    local = threading.local()

    def one(_: int) -> bool:
        obj = getattr(local, "apprise", None)
        if obj is None:
            obj = local.apprise = apprise.Apprise()
            obj.add(url)
        return bool(obj.notify(title=title, body=message))

    t0 = time.monotonic()
    if threads <= 1:
        ok = sum(one(i) for i in range(count))
    else:
        with ThreadPoolExecutor(threads) as pool:
            ok = sum(pool.map(one, range(count)))
    return ok, time.monotonic() - t0, apprise_payload_size(title, message)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["raw", "apprise"])
    parser.add_argument("--base", required=True, help="the receiver, e.g. http://127.0.0.1:1234")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sample", required=True, help="JSON file: the sample webhook request (headers, body)")
    args = parser.parse_args()
    with open(args.sample) as f:
        sample = json.load(f)
    body = sample["body"].encode()
    if args.mode == "raw":
        keep = ("content-type", "x-printbell-event", "user-agent")
        headers = {k: v for k, v in sample["headers"].items() if k in keep}
        ok, seconds = run_raw(f"{args.base}/raw/", args.count, body, headers)
        size = len(body)
    else:
        base = args.base.replace("http://", "json://", 1)
        ok, seconds, size = run_apprise(f"{base}/apprise{args.threads}/", args.count, len(body), args.threads)
    result = {
        "mode": args.mode,
        "threads": args.threads,
        "count": args.count,
        "ok": ok,
        "seconds": round(seconds, 4),
        "per_s": round(args.count / seconds, 1) if seconds > 0 else None,
        "body_bytes": size,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
