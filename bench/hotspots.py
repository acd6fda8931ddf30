"""Summarise py-spy profiles written by `bench/delivery.py --profile DIR`: where a delivery's
(worker) and an event's (web) time goes, in the bench's own terms.

    .venv/bin/python bench/delivery.py --profile /tmp/prof              # samples active threads
    .venv/bin/python bench/delivery.py --profile /tmp/prof --profile-gil  # only the GIL holder = CPU
    .venv/bin/python bench/hotspots.py /tmp/prof --per 2000

Each sample is put in the first category whose frames all appear, in order, in its stack (so the
order of the rules below matters: the specific before the general). Without --gil, py-spy also
samples threads that wait inside SQLite (for the write lock, in its busy handler's sleeps) or in a
socket, so the "active" profile shows waiting; with --gil it shows Python CPU only. `--per N`
turns samples into milliseconds per delivery or event (thread-time, summed over all threads).
"""

from __future__ import annotations

import argparse
import collections
import re
from pathlib import Path

LOCK = "Atomic.__enter__"  # BEGIN IMMEDIATE: waiting for SQLite's write lock, then starting
COMMIT = "Atomic.__exit__"

WORKER_RULES: list[tuple[str, list[str]]] = [
    ("sweeper", ["Sweeper.run"]),
    ("idle: polling the queue (Worker.sleep)", ["Worker.sleep"]),
    ("queue: dequeue (SQLite queue)", ["Huey.dequeue"]),
    ("fan-out: enqueue the deliveries (SQLite queue)", ["fan_out (", "Huey.enqueue"]),
    ("fan-out: BEGIN IMMEDIATE (write lock)", ["fan_out (", LOCK]),
    ("fan-out: COMMIT", ["fan_out (", COMMIT]),
    ("fan-out: claim the event (UPDATE)", ["fan_out (", "QuerySet.update"]),
    ("fan-out: load event + printer + owner (SELECT)", ["fan_out (", "QuerySet.get"]),
    ("fan-out: channels query (build)", ["fan_out (", "channels_for"]),
    ("fan-out: channels query (run, M2M filter + DISTINCT)", ["fan_out (", "ModelIterable"]),
    ("fan-out: bulk_create deliveries (INSERT)", ["fan_out (", "bulk_create"]),
    ("fan-out: read back delivery ids (SELECT)", ["fan_out (", "FlatValuesListIterable"]),
    ("fan-out: other", ["fan_out ("]),
    ("deliver: claim UPDATE (autocommit write)", ["claim (notifications/dispatch.py"]),
    ("deliver: finish: BEGIN IMMEDIATE (write lock)", ["finish (notifications/dispatch.py", LOCK]),
    ("deliver: finish: COMMIT", ["finish (notifications/dispatch.py", COMMIT]),
    ("deliver: finish: UPDATE + INSERT attempt", ["finish (notifications/dispatch.py"]),
    ("deliver: plugin: HTTP POST (urllib3)", ["request (notifications/http.py"]),
    ("deliver: plugin: contexts + body", ["_call_plugin ("]),
    ("deliver: load delivery (SELECT with joins)", ["deliver (notifications/dispatch.py", "QuerySet.get"]),
    ("deliver: other", ["deliver (notifications/dispatch.py"]),
    ("task overhead: close_old_connections", ["close_old_connections"]),
    ("task overhead: huey execute/signals/deserialise", ["Huey.execute"]),
    ("huey consumer loop", ["Worker.loop"]),
    ("other", []),
]

WEB_RULES: list[tuple[str, list[str]]] = [
    ("enqueue fan-out task (SQLite queue, on commit)", ["Huey.enqueue"]),
    ("auth: printer token lookup", ["PrinterTokenAuthentication"]),
    ("store: idempotency-key SELECT", ["store_event (", "QuerySet.first"]),
    ("store: BEGIN IMMEDIATE (write lock)", ["store_event (", LOCK]),
    ("store: upsert print (get_or_create + save)", ["_upsert_print ("]),
    ("store: INSERT event", ["store_event (", "Model.save"]),
    ("store: COMMIT", ["store_event (", COMMIT]),
    ("store: other", ["store_event ("]),
    ("parse + validate (DRF)", ["EventIngestView.post ("]),
    ("DRF dispatch (auth classes, negotiation, rendering)", ["APIView.dispatch"]),
    ("Django middleware + handler", ["WSGIHandler.__call__"]),
    ("gunicorn: request parsing, response writing", ["ThreadWorker.handle"]),
    ("gunicorn: event loop (accept, keep-alive, poll)", ["ThreadWorker.run"]),
    ("thread pool plumbing", ["_worker (concurrent/futures/thread.py"]),
    ("other", []),
]


def load(path: Path) -> list[tuple[list[str], int]]:
    samples = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples.append(([re.sub(r":\d+\)$", ")", f) for f in stack.split(";")], int(count)))
    return samples


def matches(frames: list[str], pattern: list[str]) -> bool:
    i = 0
    for frame in frames:
        if i < len(pattern) and pattern[i] in frame:
            i += 1
    return i == len(pattern)


def categorise(samples: list[tuple[list[str], int]], rules: list[tuple[str, list[str]]]) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for frames, n in samples:
        for label, pattern in rules:
            if matches(frames, pattern):
                counts[label] += n
                break
    return counts


def sqlite_share(samples: list[tuple[list[str], int]]) -> int:
    """Samples whose leaf is inside sqlite3 (C: executing, or sleeping in the busy handler)."""
    return sum(n for frames, n in samples if frames and "SQLiteCursorWrapper.execute" in frames[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--rate", type=float, default=200.0, help="py-spy's sampling rate (delivery.py uses 200)")
    parser.add_argument("--per", type=int, default=0, help="deliveries (worker) / events (web) in the phase")
    parser.add_argument("--phase", default="throughput")
    args = parser.parse_args()
    groups: dict[str, list] = collections.defaultdict(list)
    for path in sorted(args.dir.glob(f"{args.phase}-*.txt")):
        role = "worker" if path.name.startswith(f"{args.phase}-worker-") else "web"
        groups[role].extend(load(path))
    for role, samples in groups.items():
        rules = WORKER_RULES if role == "worker" else WEB_RULES
        total = sum(n for _, n in samples)
        counts = categorise(samples, rules)
        unit = "delivery" if role == "worker" else "event"
        print(f"\n{role}: {total} samples ({total / args.rate:.1f} thread-seconds)")
        for label, _ in rules:
            n = counts.get(label, 0)
            if not n:
                continue
            per = f"  {n / args.rate * 1000 / args.per:6.3f} ms/{unit}" if args.per else ""
            print(f"  {n * 100 / total:5.1f}%{per}  {label}")
        leaf = sqlite_share(samples)
        print(f"  ({leaf * 100 / max(1, total):.1f}% of all samples are inside sqlite3 itself)")


if __name__ == "__main__":
    main()
