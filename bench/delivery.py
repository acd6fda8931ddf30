"""Printbell's delivery benchmark: `make bench`, or `.venv/bin/python bench/delivery.py --help`.

It starts the real embedded stack (`manage.py serve`: gunicorn + the Huey worker, SQLite database
and SQLite queue) in a temporary data folder on a free port, sets it up through the API (a user,
printers, webhook channels pointing at a loopback receiver), then measures:

1. throughput: `--events` events POSTed over keep-alive connections as fast as the server takes
   them, each fanned out to `--channels` webhook channels: deliveries/s from the first POST to
   the last webhook received, and events/s accepted by the API;
2. latency: `--rate` events/s for `--duration` seconds: event POST -> webhook received, p50/p99;
3. memory: the peak resident memory of every server process, summed (RSS and PSS), sampled
   throughout;
4. the yardsticks, in the same run and to the same receiver, after the server is stopped: one
   keep-alive urllib3 client, and Apprise (sequential and from a thread pool), sending as many
   requests with a body of the same size.

Every phase checks that each delivery arrived exactly once (by X-Printbell-Delivery) and that
each Delivery row ended `sent`; the exit status is 1 if any did not. Targets (DESIGN.md) are
reported, never enforced. See bench/README.md for how to read the numbers.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

import urllib3

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
MANAGE = REPO / "backend" / "manage.py"
PY = sys.executable
DEFAULT_JSON = BENCH / "results" / "latest.json"
PASSWORD = "bench passphrase, long enough"  # noqa: S105 - a throw-away account on a throw-away server

TARGETS = {
    "deliveries_per_s": 1000.0,
    "ingest_events_per_s": 1000.0,
    "latency_p50_ms": 20.0,
    "latency_p99_ms": 100.0,
    "peak_rss_mb": 250.0,
}

# Settings the harness must not pass on from its own environment (a developer's shell, or the test
# suite, which sets DATA_DIR, DATABASE_URL, HUEY_NAME...): the stack gets only what --set gives it.
_NOT_INHERITED = {
    "DJANGO_SETTINGS_MODULE",
    "DATA_DIR",
    "DATABASE_URL",
    "REDIS_URL",
    "HUEY_NAME",
    "SECRET_KEY",
    "SITE_URL",
    "PRINTBELL_ENV_FILE",
    "HOST",
    "PORT",
    "ALLOW_SIGNUP",
    "ALLOWED_HOSTS",
    "NOTIFICATION_PLUGIN_DIRS",
    "LOG_LEVEL",
    "DEBUG",
}
_NOT_INHERITED_PREFIXES = ("DELIVERY_", "WORKER_", "WEB_", "OUTBOUND_", "HUEY_", "DB_", "PYTEST_", "MAX_")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-p * len(ordered) // 100)))  # ceil(p/100 * n)
    return ordered[min(rank, len(ordered)) - 1]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


# --- /proc ------------------------------------------------------------------------------------


def proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (index 0 is the state)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = collections.defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = proc_stat(int(entry.name))
            if stat is not None and stat[0] not in ("Z", "X"):
                parents[int(stat[1])].append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        kids = sorted(parents.get(todo.pop(0), []))
        found.extend(kids)
        todo.extend(kids)
    return found


def cpu_seconds(pid: int) -> float | None:
    stat = proc_stat(pid)
    if stat is None:
        return None
    return (int(stat[11]) + int(stat[12])) / CLK_TCK  # utime + stime


def memory_kb(pid: int) -> tuple[int, int] | None:
    """(RSS, PSS) in kB, or None if the process is gone."""
    rss = pss = None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
                break
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
                break
    except OSError:
        return None
    if rss is None:
        return None
    return rss, pss if pss is not None else rss


def machine_busy() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


# --- Processes --------------------------------------------------------------------------------


class Proc:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path, stdout: Any = None):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else self._log,
            stderr=self._log,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, n: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL to it and everything below it if it has not exited by then."""
        tree = [self.pid, *descendants(self.pid)]
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"{self.name} did not stop within {timeout:g}s; killing it")
        for pid in tree:
            stat = proc_stat(pid)
            if stat is not None and stat[0] not in ("Z", "X"):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        try:
            self.popen.wait(10)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()


def server_env(data_dir: Path, port: int, overrides: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith(_NOT_INHERITED_PREFIXES)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PRINTBELL_ENV_FILE=os.devnull,  # a developer's .env must not leak in
        PYTHONUNBUFFERED="1",
        DATA_DIR=str(data_dir),
        HUEY_NAME=f"printbell-bench-{secrets.token_hex(4)}",
        SITE_URL=f"http://127.0.0.1:{port}",
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


# --- HTTP helpers -----------------------------------------------------------------------------

_http = urllib3.PoolManager(maxsize=4, retries=False, timeout=urllib3.Timeout(connect=5, read=60))


def call(method: str, url: str, body: Any = None, token: str | None = None, expect: tuple = (200, 201)) -> Any:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    resp = _http.request(method, url, body=data, headers=headers)
    if resp.status not in expect:
        raise RuntimeError(f"{method} {url} answered {resp.status}: {resp.data[:500]!r}")
    return json.loads(resp.data) if resp.data else None


def wait_for(probe: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


class Receiver:
    def __init__(self, workdir: Path, env: dict[str, str]):
        self.proc = Proc("receiver", [PY, str(BENCH / "receiver.py")], env, workdir / "receiver.log", subprocess.PIPE)
        line = self.proc.popen.stdout.readline().decode()  # type: ignore[union-attr]
        if not line.startswith("PORT "):
            raise RuntimeError(f"receiver did not start: {line!r} {self.proc.tail()}")
        self.port = int(line.split()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.pool = urllib3.PoolManager(maxsize=1, retries=False)

    def count(self) -> int:
        return json.loads(self.pool.request("GET", f"{self.base}/_bench/count").data)["count"]

    def dump(self, clear: bool = True) -> dict:
        return json.loads(self.pool.request("GET", f"{self.base}/_bench/dump?clear={int(clear)}").data)

    def wait_count(self, expected: int, stall_timeout: float) -> tuple[int, bool]:
        """Wait until `expected` requests arrived, or nothing new arrived for `stall_timeout`."""
        last, last_change = -1, time.monotonic()
        while True:
            n = self.count()
            if n >= expected:
                return n, True
            if n != last:
                last, last_change = n, time.monotonic()
            elif time.monotonic() - last_change > stall_timeout:
                return n, False
            time.sleep(0.01)


# --- Sampling memory and CPU ------------------------------------------------------------------


def _argv(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def role_of(pid: int) -> str:
    """What a process of the stack is, from its command line (`manage.py serve|web|worker`)."""
    argv = _argv(pid)
    command = argv[2] if len(argv) > 2 and argv[1].endswith(b"manage.py") else b""
    if command == b"serve":
        return "serve (supervisor)"
    if command == b"worker":
        return "worker (huey)"
    if command == b"web":
        stat = proc_stat(pid)
        parent = _argv(int(stat[1])) if stat else []
        is_child = len(parent) > 2 and parent[2] == b"web"
        return "web worker (gunicorn)" if is_child else "web master (gunicorn)"
    return " ".join(a.decode(errors="replace") for a in argv[1:3]) or "?"


class Sampler(threading.Thread):
    """Samples the RSS and PSS of every process of the stack every `interval` seconds; keeps the
    peak of the sums per phase, and the per-process breakdown at that peak."""

    def __init__(self, roots: list[int], interval: float = 0.2):
        super().__init__(name="sampler", daemon=True)
        self.roots = roots
        self.interval = interval
        self.phase = "startup"
        self.peaks: dict[str, dict] = {}
        self.samples = 0
        self._halt = threading.Event()

    def processes(self) -> dict[int, str]:
        pids = [p for root in self.roots for p in (root, *descendants(root))]
        return {pid: role_of(pid) for pid in pids}

    def sample(self) -> None:
        procs = self.processes()
        per = {}
        for pid, role in procs.items():
            mem = memory_kb(pid)
            if mem is not None:
                per[pid] = (role, *mem)
        rss = sum(v[1] for v in per.values())
        pss = sum(v[2] for v in per.values())
        self.samples += 1
        peak = self.peaks.setdefault(self.phase, {"rss_kb": 0, "pss_kb": 0, "processes": {}})
        if rss > peak["rss_kb"]:
            peak["rss_kb"] = rss
            peak["processes"] = {
                str(pid): {"role": role, "rss_mb": round(r / 1024, 1), "pss_mb": round(p / 1024, 1)}
                for pid, (role, r, p) in per.items()
            }
        peak["pss_kb"] = max(peak["pss_kb"], pss)

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                self.sample()
            except Exception as exc:  # noqa: BLE001 - a process may vanish mid-read
                log(f"memory sample failed: {exc}")
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)

    def summary(self) -> dict:
        out = {}
        for phase, peak in self.peaks.items():
            out[phase] = {
                "peak_rss_mb": round(peak["rss_kb"] / 1024, 1),
                "peak_pss_mb": round(peak["pss_kb"] / 1024, 1),
                "processes_at_peak": peak["processes"],
            }
        loaded = [p for p in self.peaks if p != "startup"] or list(self.peaks)
        out["overall"] = {
            "peak_rss_mb": round(max(self.peaks[p]["rss_kb"] for p in loaded) / 1024, 1) if loaded else None,
            "peak_pss_mb": round(max(self.peaks[p]["pss_kb"] for p in loaded) / 1024, 1) if loaded else None,
            "samples": self.samples,
        }
        return out


class CpuMeter:
    """CPU seconds used by each process of the stack (and the receiver), and how busy the whole
    machine was, between start() and stop()."""

    def __init__(self, sampler: Sampler, extra: dict[int, str]):
        self.sampler = sampler
        self.extra = extra

    def start(self) -> None:
        self.procs = {**self.sampler.processes(), **self.extra}
        self.before = {pid: cpu_seconds(pid) for pid in self.procs}
        self.machine_before = machine_busy()
        self.children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.t0 = time.monotonic()

    def stop(self) -> dict:
        wall = time.monotonic() - self.t0
        by_role: dict[str, float] = collections.defaultdict(float)
        for pid, role in self.procs.items():
            after, before = cpu_seconds(pid), self.before.get(pid)
            if after is not None and before is not None:
                by_role[role] += after - before
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        # Only the load generator is reaped during a phase, so the children's delta is its CPU.
        by_role["load generator"] = (children.ru_utime + children.ru_stime) - (
            self.children_before.ru_utime + self.children_before.ru_stime
        )
        busy0, total0 = self.machine_before
        busy1, total1 = machine_busy()
        busy_s = (busy1 - busy0) / CLK_TCK
        # Anything else running on the machine at the same time (it skews every number).
        by_role["other processes on the machine"] = max(0.0, busy_s - sum(by_role.values()))
        return {
            "wall_s": round(wall, 3),
            "cpu_s_by_role": {k: round(v, 3) for k, v in sorted(by_role.items())},
            "machine_busy_fraction": round((busy1 - busy0) / max(1, total1 - total0), 3),
            "cores": os.cpu_count(),
        }


# --- The run ----------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="printbell-bench-"))
        self.data_dir = self.workdir / "data"
        self.data_dir.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = server_env(self.data_dir, self.port, dict(args.set))
        self.server: list[Proc] = []  # `manage.py serve`, or `web` + N x `worker`
        self.receiver: Receiver | None = None
        self.sampler: Sampler | None = None
        self.run_id = secrets.token_hex(3)
        self.results: dict[str, Any] = {}
        self.problems: list[str] = []

    # Setup

    def start(self) -> None:
        self.receiver = Receiver(self.workdir, self.env)
        log(f"receiver on port {self.receiver.port}; data in {self.workdir}")
        t0 = time.monotonic()
        migrate = subprocess.run(
            [PY, str(MANAGE), "migrate", "--noinput"], cwd=REPO, env=self.env, capture_output=True, timeout=300
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{migrate.stdout.decode()[-3000:]}{migrate.stderr.decode()[-3000:]}")
        n = self.args.worker_processes
        if n:
            log(f"migrated in {time.monotonic() - t0:.1f}s; starting `manage.py web` + {n} x `manage.py worker`")
            self.server.append(Proc("web", [PY, str(MANAGE), "web"], self.env, self.workdir / "web.log"))
            for i in range(n):
                log_path = self.workdir / f"worker-{i + 1}.log"
                self.server.append(Proc(f"worker {i + 1}", [PY, str(MANAGE), "worker"], self.env, log_path))
        else:
            log(f"migrated in {time.monotonic() - t0:.1f}s; starting `manage.py serve` on port {self.port}")
            self.server.append(Proc("serve", [PY, str(MANAGE), "serve"], self.env, self.workdir / "serve.log"))

        def healthy() -> bool:
            for proc in self.server:
                if proc.popen.poll() is not None:
                    raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
            try:
                return _http.request("GET", f"{self.base}/health/", timeout=2).status == 200
            except urllib3.exceptions.HTTPError:
                return False

        wait_for(healthy, 60, "the server to answer /health/", 0.1)
        self.results["startup_s"] = round(time.monotonic() - t0, 2)
        self.sampler = Sampler([proc.pid for proc in self.server])
        self.sampler.start()

    def setup(self) -> None:
        a = self.args
        call("POST", f"{self.base}/api/v1/auth/register/", {"username": "bench", "password": PASSWORD})
        token = call("POST", f"{self.base}/api/v1/auth/token/", {"username": "bench", "password": PASSWORD})["token"]
        self.printer_tokens = []
        for i in range(a.printers):
            printer = call("POST", f"{self.base}/api/v1/printers/", {"name": f"Bench printer {i + 1}"}, token)
            self.printer_tokens.append(printer["auth_token"])
        for c in range(a.channels):
            call(
                "POST",
                f"{self.base}/api/v1/notification_settings/",
                {
                    "name": "webhook",
                    "label": f"bench {c + 1}",
                    "config": {"custom_webhook_URL": f"{self.receiver.base}/hook/{c + 1}"},  # type: ignore[union-attr]
                },
                token,
            )
        log(f"set up through the API: 1 user, {a.printers} printer(s), {a.channels} webhook channel(s)")

    # Phases

    def loadgen(self, name: str, mode: str, events: int, concurrency: int, rate: float = 0.0) -> dict:
        spec = {
            "url": self.base,
            "tokens": self.printer_tokens,
            "mode": mode,
            "events": events,
            "concurrency": concurrency,
            "rate": rate,
            "run": f"{self.run_id}-{name}",
        }
        out = subprocess.run(
            [PY, str(BENCH / "loadgen.py")],
            input=json.dumps(spec).encode(),
            capture_output=True,
            timeout=max(120.0, events / 10),
            cwd=REPO,
        )
        if out.returncode != 0:
            raise RuntimeError(f"load generator failed:\n{out.stderr.decode()[-3000:]}")
        return json.loads(out.stdout)

    def phase(self, name: str, mode: str, events: int, concurrency: int, rate: float = 0.0) -> dict:
        assert self.receiver is not None and self.sampler is not None
        self.receiver.dump(clear=True)
        self.sampler.phase = name
        cpu = CpuMeter(self.sampler, {self.receiver.proc.pid: "receiver"})
        cpu.start()
        profilers = self.start_profilers(name) if name in self.args.profile_phases else []
        sent = self.loadgen(name, mode, events, concurrency, rate)
        accepted = [e for e in sent["events"] if e[1] is not None]
        expected = len(accepted) * self.args.channels
        received, complete = self.receiver.wait_count(expected, self.args.stall_timeout)
        cpu_report = cpu.stop()
        self.stop_profilers(profilers)
        time.sleep(0.2)  # let stray duplicates, if any, arrive before counting
        dump = self.receiver.dump(clear=True)
        check = self.verify(accepted, dump["records"])
        by_uuid = check.pop("_by_uuid")
        if not complete:
            check["ok"] = False
            self.problems.append(f"{name}: only {received} of {expected} deliveries arrived")
        if sent["error_count"]:
            check["ok"] = False
            self.problems.append(f"{name}: {sent['error_count']} event POSTs failed, e.g. {sent['errors'][:3]}")
        result = {
            "events_posted": len(sent["events"]),
            "events_accepted": len(accepted),
            "post_errors": sent["error_count"],
            "check": check,
            "cpu": cpu_report,
            **self.timings(sent, dump["records"], by_uuid),
        }
        result["samples"] = dump["samples"]
        return result

    def start_profilers(self, phase: str) -> list[tuple[subprocess.Popen, Path]]:
        """py-spy on each server process for this phase (sampling, not pausing, the processes)."""
        if self.args.profile is None or self.sampler is None:
            return []
        py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(PY).parent))
        if py_spy is None:
            self.problems.append("--profile needs py-spy (pip install py-spy)")
            return []
        self.args.profile.mkdir(parents=True, exist_ok=True)
        started = []
        for pid, role in self.sampler.processes().items():
            if role.startswith(("worker", "web worker")):
                out = self.args.profile / f"{phase}-{role.split(' (')[0].replace(' ', '-')}-{pid}.txt"
                argv = [py_spy, "record", "-p", str(pid), "-r", "200", "-f", "raw", "-o", str(out), "--nonblocking"]
                if self.args.profile_gil:
                    argv.append("--gil")
                started.append(
                    (subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), out)  # noqa: S603
                )
        time.sleep(0.5)  # let py-spy attach before the load starts
        return started

    def stop_profilers(self, profilers: list[tuple[subprocess.Popen, Path]]) -> None:
        for proc, out in profilers:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log(f"profile written to {out}")

    def verify(self, accepted: list, records: list) -> dict:
        """Exactly once, and every Delivery row `sent` with one attempt."""
        event_ids = {e[1] for e in accepted}
        db = self.data_dir / "printbell.sqlite3"
        lo, hi = min(event_ids, default=0), max(event_ids, default=0)

        def rows() -> list:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
            try:
                return con.execute(
                    "SELECT uuid, event_id, status, attempt_count FROM notifications_delivery "
                    "WHERE event_id BETWEEN ? AND ?",
                    (lo, hi),
                ).fetchall()
            finally:
                con.close()

        def settled() -> list | None:
            found = [r for r in rows() if r[1] in event_ids]
            return found if all(r[2] in ("sent", "failed", "skipped") for r in found) else None

        try:
            db_rows = wait_for(settled, 10, "every delivery to be finished in the database", 0.1)
        except RuntimeError:
            db_rows = [r for r in rows() if r[1] in event_ids]
        by_uuid = {r[0].replace("-", ""): r for r in db_rows}
        got = collections.Counter((k or "").replace("-", "") for _, _, k in records)
        statuses = collections.Counter(r[2] for r in db_rows)
        expected = len(event_ids) * self.args.channels
        check = {
            "deliveries_expected": expected,
            "delivery_rows": len(db_rows),
            "received": len(records),
            "received_unique": len(got),
            "duplicates": sum(n - 1 for n in got.values() if n > 1),
            "missing": len(set(by_uuid) - set(got)),
            "unexpected": len(set(got) - set(by_uuid)),
            "statuses": dict(statuses),
            "retried": sum(1 for r in db_rows if r[3] != 1),
        }
        check["ok"] = (
            check["delivery_rows"] == expected
            and check["received"] == expected
            and check["received_unique"] == expected
            and not check["duplicates"]
            and not check["missing"]
            and not check["unexpected"]
            and statuses.get("sent", 0) == expected
        )
        check["_by_uuid"] = by_uuid
        return check

    def timings(self, sent: dict, records: list, by_uuid: dict) -> dict:
        events = sent["events"]
        t_send = {e[1]: e[2] for e in events if e[1] is not None}
        t_done = {e[1]: e[3] for e in events if e[1] is not None}
        lat, lat_accepted = [], []
        for t, _, key in records:
            row = by_uuid.get((key or "").replace("-", ""))
            if row is not None and row[1] in t_send:
                lat.append(t - t_send[row[1]])
                lat_accepted.append(t - t_done[row[1]])
        first_send = min((e[2] for e in events), default=0.0)
        last_send = max((e[2] for e in events), default=0.0)
        last_done = max((e[3] for e in events), default=0.0)
        last_receipt = max((r[0] for r in records), default=0.0)
        first_receipt = min((r[0] for r in records), default=0.0)
        post_times = [e[3] - e[2] for e in events]
        n_ok = len(t_send)
        span = last_receipt - first_send
        return {
            "ingest_s": round(last_done - first_send, 3),
            "ingest_events_per_s": round(n_ok / (last_done - first_send), 1) if last_done > first_send else None,
            "offered_events_per_s": round((len(events) - 1) / (last_send - first_send), 1)
            if last_send > first_send
            else None,
            "end_to_end_s": round(span, 3),
            "deliveries_per_s": round(len(records) / span, 1) if span > 0 else None,
            "first_receipt_after_ms": ms(first_receipt - first_send) if records else None,
            "drain_after_last_post_s": round(last_receipt - last_done, 3),
            "post_ms": {"p50": ms(percentile(post_times, 50)), "p99": ms(percentile(post_times, 99))},
            "latency_ms": {
                "p50": ms(percentile(lat, 50)),
                "p90": ms(percentile(lat, 90)),
                "p99": ms(percentile(lat, 99)),
                "max": ms(max(lat, default=None)),
                "n": len(lat),
            },
            "latency_after_accepted_ms": {
                "p50": ms(percentile(lat_accepted, 50)),
                "p99": ms(percentile(lat_accepted, 99)),
            },
        }

    def peers(self, sample: dict, count: int) -> dict:
        assert self.receiver is not None
        sample_path = self.workdir / "sample.json"
        sample_path.write_text(json.dumps(sample))
        out = {}
        runs = [("raw", 1), ("apprise", 1)]
        if self.args.apprise_threads > 1:
            runs.append(("apprise", self.args.apprise_threads))
        for mode, threads in runs:
            key = mode if mode == "raw" else f"apprise_{'sequential' if threads == 1 else f'{threads}_threads'}"
            self.receiver.dump(clear=True)
            proc = subprocess.run(
                [
                    PY,
                    str(BENCH / "peers.py"),
                    mode,
                    "--base",
                    self.receiver.base,
                    "--count",
                    str(count),
                    "--threads",
                    str(threads),
                    "--sample",
                    str(sample_path),
                ],
                capture_output=True,
                timeout=600,
                cwd=REPO,
            )
            if proc.returncode != 0:
                err = proc.stderr.decode()[-1500:]
                log(f"{key} did not run: {err}")
                out[key] = {"error": err}
                continue
            result = json.loads(proc.stdout)
            result["received"] = self.receiver.count()
            out[key] = result
            log(f"{key}: {result['per_s']}/s ({result['ok']}/{count} ok, {result['received']} received)")
        self.receiver.dump(clear=True)
        return out

    def run(self) -> dict:
        a = self.args
        self.start()
        self.setup()
        assert self.sampler is not None

        log(f"warm-up: {a.warmup} events")
        warm = self.phase("warmup", "burst", a.warmup, min(4, a.concurrency))
        if not warm["check"]["ok"]:
            self.problems.append(f"warm-up: {warm['check']}")

        log(f"throughput: {a.events} events x {a.channels} channel(s), {a.concurrency} connections")
        tp = self.phase("throughput", "burst", a.events, a.concurrency)
        log(
            f"throughput: {tp['deliveries_per_s']} deliveries/s end to end, "
            f"{tp['ingest_events_per_s']} events/s ingested; check ok={tp['check']['ok']}"
        )

        n_lat = max(1, int(a.rate * a.duration))
        log(f"latency: {n_lat} events at {a.rate:g}/s")
        lat = self.phase("latency", "rate", n_lat, 64, a.rate)
        log(
            f"latency: p50 {lat['latency_ms']['p50']} ms, p99 {lat['latency_ms']['p99']} ms; "
            f"check ok={lat['check']['ok']}"
        )

        # Idle: what the stack costs when nothing happens (the worker's threads poll the queue).
        self.sampler.phase = "idle"
        idle_meter = CpuMeter(self.sampler, {})
        idle_meter.start()
        time.sleep(a.idle)
        idle = idle_meter.stop()
        idle["stack_cpu_percent_of_one_core"] = round(
            100
            * sum(
                v
                for k, v in idle["cpu_s_by_role"].items()
                if k not in ("load generator", "other processes on the machine")
            )
            / max(1e-9, idle["wall_s"]),
            1,
        )
        log(f"idle: the stack used {idle['stack_cpu_percent_of_one_core']}% of one core")
        self.sampler.stop()
        memory = self.sampler.summary()
        self.stop_server()

        sample = tp["samples"].get("hook") or lat["samples"].get("hook")
        peers: dict = {}
        if sample is None:
            self.problems.append("no webhook was received, so there is no sample for the yardsticks")
        elif not a.no_peers:
            log(f"yardsticks: {a.peer_count or tp['check']['deliveries_expected']} requests each, same receiver")
            peers = self.peers(sample, a.peer_count or tp["check"]["deliveries_expected"])
        for r in (warm, tp, lat):
            r.pop("samples", None)

        rate = tp["deliveries_per_s"] or 0.0
        ratios = {}
        for key, value in peers.items():
            if value.get("per_s"):
                ratios[f"printbell_over_{key}"] = round(rate / value["per_s"], 2)
        self.results.update(
            {
                "warmup": warm,
                "throughput": tp,
                "latency": lat,
                "idle": idle,
                "memory": memory,
                "peers": peers,
                "ratios": ratios,
                "webhook_body_bytes": sample["body_bytes"] if sample else None,
            }
        )
        self.results["all_delivered_exactly_once"] = all(r["check"]["ok"] for r in (warm, tp, lat))
        return self.results

    def stop_server(self) -> None:
        while self.server:
            self.server.pop().stop()

    def close(self) -> None:
        """Stop everything this run started; each step runs even if an earlier one failed."""
        steps = [
            lambda: self.sampler is not None and self.sampler.stop(),
            self.stop_server,
            lambda: self.receiver is not None and self.receiver.proc.stop(5),
        ]
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - keep cleaning up
                log(f"clean-up step failed: {exc!r}")
        if self.args.keep:
            log(f"kept {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


# --- Report -----------------------------------------------------------------------------------


def verdict(value: float | None, target: float, higher_is_better: bool) -> str:
    if value is None:
        return "n/a"
    ok = value >= target if higher_is_better else value <= target
    return "ok" if ok else "MISSED"


def peer_label(key: str) -> str:
    if key == "raw":
        return "one keep-alive urllib3 client"
    if key == "apprise_sequential":
        return "Apprise, sequential"
    return f"Apprise, {key.split('_')[1]} threads" if key.count("_") >= 2 else key


def table(results: dict) -> str:
    tp, lat, mem = results["throughput"], results["latency"], results["memory"]
    peers, ratios = results["peers"], results["ratios"]
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, value: Any, unit: str = "", target: str = "", mark: str = "") -> None:
        if value is None:
            text = "-"
        elif isinstance(value, float):
            text = f"{value:,.1f}"
        elif isinstance(value, int):
            text = f"{value:,}"
        else:
            text = str(value)
        rows.append((name, f"{text} {unit}".rstrip(), target, mark))

    cfg = results["config"]
    rows.append((f"Throughput: {cfg['events']} events x {cfg['channels']} channel(s)", "", "", ""))
    row(
        "  deliveries/s, end to end",
        tp["deliveries_per_s"],
        "/s",
        ">= 1,000",
        verdict(tp["deliveries_per_s"], 1000, True),
    )
    row(
        "  events/s accepted (ingestion)",
        tp["ingest_events_per_s"],
        "/s",
        ">= 1,000",
        verdict(tp["ingest_events_per_s"], 1000, True),
    )
    row("  first POST -> last webhook", tp["end_to_end_s"], "s")
    row("  queue drain after last POST", tp["drain_after_last_post_s"], "s")
    row("  POST answered p50 / p99", f"{tp['post_ms']['p50']} / {tp['post_ms']['p99']}", "ms")
    c = tp["check"]
    row(
        "  delivered exactly once, all sent",
        f"{'yes' if c['ok'] else 'NO'} ({c['received_unique']}/{c['deliveries_expected']}, dup {c['duplicates']})",
    )
    cpu = tp["cpu"]
    rows.append(
        (
            f"  CPU time, whole phase (machine {cpu['machine_busy_fraction'] * 100:.0f}% busy, {cpu['cores']} cores)",
            "",
            "",
            "",
        )
    )
    per = {
        "worker (huey)": ("delivery", c["deliveries_expected"]),
        "web worker (gunicorn)": ("event", tp["events_accepted"]),
    }
    for role, seconds in cpu["cpu_s_by_role"].items():
        if seconds < 0.05 and role not in per:
            continue
        unit, n = per.get(role, ("", 0))
        extra = f" = {seconds * 1000 / n:.2f} ms/{unit}" if n else ""
        rows.append((f"    {role}", f"{seconds:.2f} s{extra}", "", ""))
    rows.append((f"Latency: {lat['events_accepted']} events at {cfg['rate']:g}/s", "", "", ""))
    row(
        "  event POST -> webhook p50",
        lat["latency_ms"]["p50"],
        "ms",
        "<= 20",
        verdict(lat["latency_ms"]["p50"], 20, False),
    )
    row(
        "  event POST -> webhook p99",
        lat["latency_ms"]["p99"],
        "ms",
        "<= 100",
        verdict(lat["latency_ms"]["p99"], 100, False),
    )
    row("  event POST -> webhook max", lat["latency_ms"]["max"], "ms")
    row(
        "  202 received -> webhook p50 / p99",
        f"{lat['latency_after_accepted_ms']['p50']} / {lat['latency_after_accepted_ms']['p99']}",
        "ms",
    )
    row("  POST answered p50 / p99", f"{lat['post_ms']['p50']} / {lat['post_ms']['p99']}", "ms")
    c = lat["check"]
    row(
        "  delivered exactly once, all sent",
        f"{'yes' if c['ok'] else 'NO'} ({c['received_unique']}/{c['deliveries_expected']})",
    )
    if "idle" in results:
        row("Idle: CPU of the whole stack, no load", results["idle"]["stack_cpu_percent_of_one_core"], "% of a core")
    rows.append(("Memory (all server processes)", "", "", ""))
    for phase in ("throughput", "latency"):
        if phase in mem:
            row(
                f"  peak RSS sum, {phase}",
                mem[phase]["peak_rss_mb"],
                "MB",
                "<= 250",
                verdict(mem[phase]["peak_rss_mb"], 250, False),
            )
            row(f"  peak PSS sum, {phase}", mem[phase]["peak_pss_mb"], "MB")
    if peers:
        rows.append((f"Yardsticks: {results['webhook_body_bytes']}-byte JSON bodies, same receiver", "", "", ""))
        for key, value in peers.items():
            if "error" in value:
                rows.append((f"  {peer_label(key)}", "did not run", "", ""))
            else:
                row(f"  {peer_label(key)}", value["per_s"], "req/s")
        for key, value in ratios.items():
            rows.append(
                (
                    f"  Printbell deliveries/s / {peer_label(key.removeprefix('printbell_over_'))}",
                    f"{value:.2f} x",
                    "",
                    "",
                )
            )

    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows)
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{'metric':<{w0}}  {'measured':>{w1}}  {'target':<{w2}}", "-" * (w0 + w1 + w2 + 12)]
    for name, value, target, mark in rows:
        if not value and not target:
            lines.append(name)
        else:
            lines.append(f"{name:<{w0}}  {value:>{w1}}  {target:<{w2}}  {mark}".rstrip())
    return "\n".join(lines)


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=2000, help="events in the throughput phase")
    parser.add_argument("--channels", type=int, default=1, help="webhook channels each event fans out to")
    parser.add_argument("--printers", type=int, default=4, help="printers the events come from (round robin)")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections posting events")
    parser.add_argument("--rate", type=float, default=50.0, help="events/s in the latency phase")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of the latency phase")
    parser.add_argument("--warmup", type=int, default=50, help="events sent (and not counted) first")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of the idle phase (CPU with no load)")
    parser.add_argument(
        "--peer-count", type=int, default=0, help="requests per yardstick (default: as many as deliveries)"
    )
    parser.add_argument("--apprise-threads", type=int, default=8, help="threads of the pooled Apprise run (1: skip it)")
    parser.add_argument("--no-peers", action="store_true", help="skip the yardsticks")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        type=lambda s: tuple(s.split("=", 1)),
        help="a server setting (environment variable), e.g. --set WORKER_THREADS=8; repeatable",
    )
    parser.add_argument(
        "--worker-processes",
        type=int,
        default=0,
        metavar="N",
        help="run `manage.py web` + N `manage.py worker` processes instead of `manage.py serve` (0)",
    )
    parser.add_argument("--stall-timeout", type=float, default=30.0, help="give up when nothing arrives for this long")
    parser.add_argument("--quick", action="store_true", help="a small smoke run (overrides the sizes above)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder and logs")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="sample the worker and web workers with py-spy (collapsed stacks in DIR; see bench/hotspots.py)",
    )
    parser.add_argument(
        "--profile-phases",
        default="throughput",
        type=lambda s: set(s.split(",")),
        help="phases to profile: warmup, throughput, latency (comma-separated)",
    )
    parser.add_argument("--profile-gil", action="store_true", help="py-spy --gil: only samples holding the GIL")
    args = parser.parse_args(argv)
    for item in args.set:
        if len(item) != 2 or not item[0]:
            parser.error(f"--set needs NAME=VALUE, got {'='.join(item)!r}")
    if args.quick:
        args.events, args.channels, args.printers, args.concurrency = 60, 2, 2, 8
        args.rate, args.duration, args.warmup, args.idle = 50.0, 1.0, 5, 0.5
        args.peer_count = args.peer_count or 50
        args.apprise_threads = min(args.apprise_threads, 4)
    return args


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # clean up the stack on `kill` too, not only Ctrl-C
    bench = Bench(args)
    started = time.time()
    try:
        results = bench.run()
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"FAILED: {exc}")
        for proc in bench.server:
            log(f"{proc.name} output:\n{proc.tail()}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        bench.close()
    results = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "config": {
            "events": args.events,
            "channels": args.channels,
            "printers": args.printers,
            "concurrency": args.concurrency,
            "rate": args.rate,
            "duration": args.duration,
            "warmup": args.warmup,
            "idle": args.idle,
            "quick": args.quick,
            "server_settings": dict(args.set),
            "server_processes": f"web + {args.worker_processes} x worker" if args.worker_processes else "serve",
        },
        "machine": machine(),
        "targets": TARGETS,
        **results,
        "problems": bench.problems,
    }
    print(table(results))
    if bench.problems:
        print("\nProblems:\n  " + "\n  ".join(bench.problems))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nResults written to {args.json}")
    return 0 if results["all_delivered_exactly_once"] and not bench.problems else 1


if __name__ == "__main__":
    sys.exit(main())
