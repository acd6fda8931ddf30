"""What one event and one delivery cost, step by step, with no concurrency at all: Printbell's
real code run in this one process and thread, against a fresh embedded database and queue and the
benchmark's receiver. It complements `bench/delivery.py` (the real stack, where the same steps
also wait for each other): the difference between the two is the cost of contention.

    .venv/bin/python bench/inprocess.py [--events 1000] [--channels 1] [--cprofile]

Steps, each timed around the real call:
  ingest     POST /api/v1/printer/events/ through Django's test client (middleware, DRF, auth,
             store_event, the fan-out task enqueued on commit); no gunicorn, no socket
  dequeue    Huey's dequeue from the SQLite queue (fan-out and delivery tasks)
  fan-out    the fan_out task as the worker runs it (with close_db), incl. enqueueing deliveries
  claim      delivery_store.claim (the conditional UPDATE)
  plugin     dispatch.call_plugin (contexts, JSON body, the HTTP POST to the receiver)
  finish     dispatch.finish (UPDATE + INSERT attempt in one transaction)
  deliver    the whole deliver task; "deliver: rest" = deliver - claim - plugin - finish, which is
             mostly the SELECT that loads the delivery with its channel, user, event, printer, print
SQL statements are counted and timed per step (time inside sqlite3, by statement kind).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import os
import pstats
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"


class Steps:
    def __init__(self) -> None:
        self.time: dict[str, float] = collections.defaultdict(float)  # wall
        self.cpu: dict[str, float] = collections.defaultdict(float)  # this thread's CPU time
        self.count: dict[str, int] = collections.defaultdict(int)
        self.sql_n: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.sql_t: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.current: list[str] = []

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            self.current.append(name)
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.cpu[name] += time.thread_time() - c0
                self.time[name] += time.perf_counter() - t0
                self.count[name] += 1
                self.current.pop()

        return timed

    def sql(self, execute, sql, params, many, context):
        kind = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
        if kind == "BEGIN":
            kind = sql.strip().upper()
        step = self.current[-1] if self.current else "(none)"
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_n[step][kind] += 1
            self.sql_t[step][kind] += time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--cprofile", action="store_true", help="also print cProfile's top functions per stage")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="printbell-inprocess-"))
    for name in [
        k for k in os.environ if k.startswith(("DELIVERY_", "WORKER_", "DB_")) or k in ("DATABASE_URL", "REDIS_URL")
    ]:
        del os.environ[name]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PRINTBELL_ENV_FILE=os.devnull,
        DATA_DIR=str(workdir),
        HUEY_NAME=f"printbell-inprocess-{secrets.token_hex(4)}",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(REPO / "backend"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from huey.contrib.djhuey import HUEY

    from accounts.models import User
    from notifications import delivery_store, dispatch
    from notifications.models import Delivery, NotificationSetting
    from printers.models import Printer

    call_command("migrate", verbosity=0)
    receiver = subprocess.Popen(
        [sys.executable, str(BENCH / "receiver.py")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        port = int(receiver.stdout.readline().split()[1])  # type: ignore[union-attr]
        user = User.objects.create_user("bench", password="x" * 20)  # noqa: S106
        from core.tokens import hash_token

        token = "pbp_" + secrets.token_urlsafe(32)
        Printer.objects.create(owner=user, name="Bench printer", token_hash=hash_token(token), token_prefix=token[:8])
        for c in range(args.channels):
            NotificationSetting.objects.create(
                user=user,
                name="webhook",
                label=f"bench {c}",
                config={"custom_webhook_URL": f"http://127.0.0.1:{port}/hook/{c}"},
            )

        steps = Steps()
        delivery_store.claim = steps.wrap("claim", delivery_store.claim)
        dispatch.call_plugin = steps.wrap("plugin", dispatch.call_plugin)
        dispatch.finish = steps.wrap("finish", dispatch.finish)
        profiles = {}
        client = Client()
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

        def ingest(i: int) -> None:
            body = {"type": "PrintDone", "id": f"e{i}", "print": {"job_key": f"j{i}", "filename": f"benchy-{i}.gcode"}}
            resp = client.post("/api/v1/printer/events/", json.dumps(body), content_type="application/json", **auth)
            assert resp.status_code == 202, resp.content

        def drain(label: str, limit: int) -> int:
            """Run the next `limit` tasks (FIFO: all fan-outs come before their deliveries)."""
            n = 0
            dequeue = steps.wrap("dequeue", HUEY.dequeue)
            execute = steps.wrap(label, HUEY.execute)
            while n < limit:
                task = dequeue()
                if task is None:
                    return n
                execute(task)
                n += 1
            return n

        with connection.execute_wrapper(steps.sql):
            for stage, run in [
                ("ingest", lambda: [steps.wrap("ingest", ingest)(i) for i in range(args.events)]),
                ("fan-out", lambda: drain("fan-out", args.events)),
                ("deliver", lambda: drain("deliver", args.events * args.channels)),
            ]:
                prof = cProfile.Profile() if args.cprofile else None
                t0 = time.perf_counter()
                if prof:
                    prof.enable()
                run()
                if prof:
                    prof.disable()
                steps.time[f"{stage} (stage wall)"] = time.perf_counter() - t0
                profiles[stage] = prof

        sent = Delivery.objects.filter(status=Delivery.SENT).count()
        deliveries = args.events * args.channels
        print(f"\n{args.events} events x {args.channels} channel(s): {sent}/{deliveries} deliveries sent, one thread\n")
        rows = [
            ("ingest (Django test client, no gunicorn)", "ingest", args.events, "event"),
            ("dequeue (all tasks: fan-out + deliveries)", "dequeue", args.events + deliveries, "task"),
            ("fan-out task (incl. enqueue of its deliveries)", "fan-out", args.events, "event"),
            ("deliver task, whole", "deliver", deliveries, "delivery"),
            ("  claim UPDATE", "claim", deliveries, "delivery"),
            ("  plugin (contexts + HTTP POST)", "plugin", deliveries, "delivery"),
            ("  finish (UPDATE + INSERT attempt)", "finish", deliveries, "delivery"),
        ]
        print(f"{'step':<50} {'CPU':>15} {'wall':>8}   SQL statements (time inside sqlite3)")
        for label, key, n, unit in rows:
            sql = steps.sql_n.get(key, {})
            sql_t = sum(steps.sql_t.get(key, {}).values())
            print(
                f"{label:<50} {steps.cpu.get(key, 0.0) * 1e6 / max(1, n):6.0f} us/{unit:<8}"
                f" {steps.time.get(key, 0.0) * 1e6 / max(1, n):6.0f} us"
                f"   {sum(sql.values()) / max(1, n):4.1f} ({sql_t * 1e6 / max(1, n):4.0f} us):"
                f" {', '.join(f'{k} {v / max(1, n):.1f}' for k, v in sorted(sql.items()))}"
            )
        rest_cpu, rest_wall = (
            (d["deliver"] - d["claim"] - d["plugin"] - d["finish"]) * 1e6 / max(1, deliveries)
            for d in (steps.cpu, steps.time)
        )
        print(f"{'  rest: SELECT delivery + joins, task overhead':<50} {rest_cpu:6.0f} us/delivery {rest_wall:6.0f} us")
        keys = ("ingest", "dequeue", "fan-out", "deliver")
        cpu_total = sum(steps.cpu[k] for k in keys)
        wall_total = sum(steps.time[k] for k in keys)
        print(
            f"\nall steps: {cpu_total * 1e6 / max(1, deliveries):.0f} us CPU per delivery"
            f" ({wall_total * 1e6 / max(1, deliveries):.0f} us wall)"
            f" = at most {deliveries / cpu_total:.0f} deliveries/s per core of Python, before any contention"
        )
        for stage, prof in profiles.items():
            if prof is not None:
                print(f"\n--- cProfile: {stage} (top 25 by cumulative time) ---")
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    finally:
        receiver.terminate()
        receiver.wait(5)
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
