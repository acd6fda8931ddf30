"""Real Printbell processes for the end-to-end tests, and a small client for their HTTP API.

Every `Stack` is one self-contained server installation: a temporary DATA_DIR, a free port, a
Huey queue name of its own and, when the suite runs against PostgreSQL + Redis, a PostgreSQL
database of its own on the suite's server and its Redis. Processes are started with `subprocess`
in their own sessions, their output goes to log files (attached to the report of a failed test by
tests/e2e/conftest.py), and `Stack.close()` kills whatever is still running, grandchildren included.

Waiting is always for a condition with a deadline (`wait_until`, `Stack.wait_healthy`,
`Receiver.wait_for`); the short pauses inside those loops are poll intervals, never the
synchronisation itself.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests

REPO_DIR = Path(__file__).resolve().parents[2]
MANAGE = REPO_DIR / "backend" / "manage.py"
PASSWORD = "a long passphrase for e2e"  # noqa: S105 - a throw-away account on a throw-away server
STARTUP_SECONDS = 60.0
FINISHED = ("sent", "failed", "skipped")

# The pytest process configures itself through these (config/test_settings.py sets DATA_DIR,
# HUEY_NAME, SECRET_KEY, SITE_URL... in os.environ); a spawned server gets only what its test gives it.
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
    "CSRF_TRUSTED_ORIGINS",
    "NOTIFICATION_PLUGIN_DIRS",
    "LOG_LEVEL",
    "DEBUG",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}
_NOT_INHERITED_PREFIXES = ("DELIVERY_", "WORKER_", "WEB_", "OUTBOUND_", "HUEY_", "DB_", "PYTEST_")

T = TypeVar("T")


def wait_until(probe: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Call `probe` until it returns something truthy, and return that; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last seen: {last!r}")
        time.sleep(interval)  # poll interval


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Processes ---------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None if there is none."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    """Is this process running? A zombie (dead, not yet reaped) is not."""
    stat = _proc_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat is not None and stat[1] == pid:
                found.append(int(entry.name))
    return sorted(found)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, parents before their children."""
    found: list[int] = []
    todo = [pid]
    while todo:
        kids = children(todo.pop(0))
        found.extend(kids)
        todo.extend(kids)
    return found


def processes_in(data_dir: Path) -> list[int]:
    """Every process whose environment names this DATA_DIR: all that a stack started, even those
    whose parent died and left them to init."""
    marker = f"\0DATA_DIR={data_dir}\0".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                environ = (entry / "environ").read_bytes()
            except OSError:
                continue
            if marker in b"\0" + environ and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


def role(pid: int) -> str | None:
    """The management command a process runs (`serve`, `web`, `worker`...), if it is one; `serve`
    hands over to core/supervisor.py, which counts as `serve`."""
    argv = command_line(pid)
    if len(argv) > 1 and argv[1].endswith("core/supervisor.py"):
        return "serve"
    return argv[2] if len(argv) > 2 and argv[1].endswith("manage.py") else None


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except (FileNotFoundError, ProcessLookupError):
        return []


class Proc:
    """One spawned process (in a session of its own), its output going to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.popen = subprocess.Popen(  # noqa: S603 - our own argv
                argv,
                cwd=REPO_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def send(self, signum: int) -> None:
        self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit and return its status; fail (with its output) if it does not."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"{self.name} (pid {self.pid}) still running after {timeout}s; its processes:\n"
                f"{self.describe_tree()}\n{self.output()[-4000:]}"
            ) from None

    def describe_tree(self) -> str:
        lines = []
        for pid in [self.pid, *descendants(self.pid)]:
            stat = _proc_stat(pid)
            lines.append(
                f"  {pid} state={stat[0] if stat else '-'} ppid={stat[1] if stat else '-'} {command_line(pid)}"
            )
        return "\n".join(lines)

    def wait_ok(self, timeout: float) -> None:
        status = self.wait(timeout)
        assert status == 0, f"{' '.join(self.argv)} exited with {status}:\n{self.output()[-4000:]}"

    def kill_tree(self) -> None:
        """SIGKILL this process and everything below it (they run in sessions of their own, so a
        process-group kill would miss them). Parents go first, so none can start a replacement."""
        for pid in [self.pid, *descendants(self.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.popen.wait(30)


# --- PostgreSQL ---------------------------------------------------------------------------------


class PostgresServer:
    """The PostgreSQL server named by the suite's DATABASE_URL, for creating throw-away databases
    (never the suite's own database: that one belongs to pytest-django)."""

    def __init__(self, url: str):
        self.url = url
        self.parts = urlsplit(url)

    def _connect(self):
        import psycopg

        return psycopg.connect(
            host=self.parts.hostname or None,
            port=self.parts.port or None,
            user=self.parts.username or None,
            password=self.parts.password or None,
            dbname="postgres",
            autocommit=True,
            connect_timeout=10,
        )

    def url_for(self, name: str) -> str:
        return urlunsplit(self.parts._replace(path=f"/{name}"))

    def create(self, name: str, template: str | None = None) -> str:
        from psycopg import sql

        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            query = sql.SQL("{} TEMPLATE {}").format(query, sql.Identifier(template))
        with self._connect() as conn:
            conn.execute(query)
        return self.url_for(name)

    def drop(self, name: str) -> None:
        from psycopg import sql

        with self._connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def suite_scale_out() -> tuple[str | None, str | None]:
    """(DATABASE_URL, REDIS_URL) of the suite's scale-out configuration, or Nones when embedded."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        database_url = ""
    return database_url or None, os.environ.get("REDIS_URL") or None


# --- A server installation ----------------------------------------------------------------------


def base_env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if k not in _NOT_INHERITED and not k.startswith(_NOT_INHERITED_PREFIXES)
    }


class Stack:
    """A Printbell installation for one test; start its processes with `web()`, `worker()`,
    `serve()` or `spawn()`."""

    def __init__(self, root: Path, database_url: str | None = None, redis_url: str | None = None):
        self.root = root
        self.data_dir = root / "data"
        self.data_dir.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.huey_name = f"printbell-e2e-{secrets.token_hex(4)}"
        self.redis_url = redis_url
        self.database_url = database_url
        self.procs: list[Proc] = []
        self.env = base_env()
        self.env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            PRINTBELL_ENV_FILE=os.devnull,  # a developer's .env must not leak in
            PYTHONUNBUFFERED="1",
            DATA_DIR=str(self.data_dir),
            HUEY_NAME=self.huey_name,
            SITE_URL=self.url,
            HOST="127.0.0.1",
            PORT=str(self.port),
            WEB_WORKERS="1",
            WORKER_THREADS="4",
            DELIVERY_RETRY_BASE_SECONDS="0.2",
            LOG_LEVEL="INFO",
        )
        if database_url:
            self.env["DATABASE_URL"] = database_url
        if redis_url:
            self.env["REDIS_URL"] = redis_url

    @property
    def configuration(self) -> str:
        return "postgresql+redis" if self.database_url else "sqlite"

    def spawn(self, name: str, argv: list[str], **env: str) -> Proc:
        log = self.root / f"{len(self.procs):02d}-{name.replace(' ', '-')}.log"
        proc = Proc(name, argv, {**self.env, **env}, log)
        self.procs.append(proc)
        return proc

    def manage(self, name: str, *args: str, **env: str) -> Proc:
        return self.spawn(name, [sys.executable, str(MANAGE), *args], **env)

    def migrate(self) -> None:
        self.manage("migrate", "migrate", "--noinput").wait_ok(120)

    def web(self, **env: str) -> Proc:
        return self.manage("web", "web", "--host", "127.0.0.1", "--port", str(self.port), **env)

    def worker(self, **env: str) -> Proc:
        return self.manage("worker", "worker", **env)

    def serve(self, **env: str) -> Proc:
        return self.manage("serve", "serve", "--host", "127.0.0.1", "--port", str(self.port), **env)

    def wait_healthy(self, *watch: Proc, timeout: float = STARTUP_SECONDS) -> None:
        """Poll /health/ until it answers ok; fail at once if a watched process exits first."""
        deadline = time.monotonic() + timeout
        while True:
            for proc in watch:
                if proc.returncode is not None:
                    raise AssertionError(
                        f"{proc.name} exited with {proc.returncode} before {self.url} answered:\n"
                        f"{proc.output()[-4000:]}"
                    )
            try:
                answer = requests.get(f"{self.url}/health/", timeout=2)
                if answer.status_code == 200 and answer.json().get("status") == "ok":
                    return
            except (requests.RequestException, ValueError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.url}/health/ did not answer within {timeout}s")
            time.sleep(0.1)  # poll interval

    def answers(self) -> bool:
        try:
            requests.get(f"{self.url}/health/", timeout=2)
        except requests.ConnectionError:
            return False
        return True

    def api(self) -> Api:
        return Api(self.url)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.kill_tree()
        for pid in processes_in(self.data_dir):  # orphans of a parent that died
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        self.stop_all()
        if self.redis_url:
            import redis

            conn = redis.Redis.from_url(self.redis_url)
            conn.delete(*(f"huey.{kind}.{self.huey_name}" for kind in ("redis", "schedule", "results")))
            conn.close()


class ServerQueue:
    """A stack's task queue opened from the test process, with Huey's own storage classes: to
    see how much work is waiting, and to add work as a sweeper or a retry would."""

    def __init__(self, stack: Stack):
        if stack.redis_url:
            from huey.storage import RedisStorage

            self.storage = RedisStorage(name=stack.huey_name, url=stack.redis_url)
        else:
            from core.queue import WalNormalSqliteStorage

            self.storage = WalNormalSqliteStorage(
                name=stack.huey_name, filename=str(stack.data_dir / "queue.sqlite3"), timeout=30
            )

    def size(self) -> int:
        return self.storage.queue_size()

    def enqueue_deliveries(self, delivery_ids: list[int]) -> None:
        """Queue a `deliver` task for each delivery, exactly as the server's own code does."""
        from huey.contrib.djhuey import HUEY

        from notifications.tasks import deliver

        for delivery_id in delivery_ids:
            self.storage.enqueue(HUEY.serialize_task(deliver.s(delivery_id)))


# --- The HTTP API ---------------------------------------------------------------------------------


class Api:
    """The server's HTTP API as a script would use it."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()
        self.token: str | None = None

    def call(self, method: str, path: str, expect: int, *, auth: str | None = None, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if auth is None and self.token:
            auth = f"Token {self.token}"
        if auth:
            headers["Authorization"] = auth
        answer = self.http.request(method, self.base_url + path, headers=headers, timeout=15, **kwargs)
        assert answer.status_code == expect, (
            f"{method} {path} -> {answer.status_code}, not {expect}: {answer.text[:2000]}"
        )
        return answer.json() if answer.content else None

    def register(self, username: str, password: str = PASSWORD) -> dict:
        return self.call("POST", "/api/v1/auth/register/", 201, json={"username": username, "password": password})

    def log_in(self, username: str, password: str = PASSWORD) -> str:
        self.token = self.call("POST", "/api/v1/auth/token/", 200, json={"username": username, "password": password})[
            "token"
        ]
        return self.token

    def create_printer(self, name: str) -> dict:
        return self.call("POST", "/api/v1/printers/", 201, json={"name": name})

    def create_webhook(self, url: str, **fields: Any) -> dict:
        body = {"name": "webhook", "config": {"custom_webhook_URL": url}, **fields}
        return self.call("POST", "/api/v1/notification_settings/", 201, json=body)

    def post_event(self, printer_token: str, body: dict) -> dict:
        return self.call("POST", "/api/v1/printer/events/", 202, auth=f"Bearer {printer_token}", json=body)

    def deliveries(self, **filters: Any) -> list[dict]:
        found: list[dict] = []
        url: str | None = "/api/v1/deliveries/"
        params: dict | None = {"page_size": 500, **filters}
        while url:
            page = self.call("GET", url, 200, params=params)
            found.extend(page["results"])
            url = page["next"] and page["next"].removeprefix(self.base_url)
            params = None  # the next link carries them
        return found

    def wait_for_deliveries(self, event_id: int, count: int, timeout: float = 60.0) -> list[dict]:
        """Poll the delivery log until the event has `count` deliveries, all finished."""

        seen: list[dict] = []

        def finished() -> list[dict] | None:
            seen[:] = self.deliveries(event=event_id)
            if len(seen) == count and all(d["status"] in FINISHED for d in seen):
                return list(seen)
            return None

        try:
            return wait_until(finished, timeout, f"{count} finished deliveries of event {event_id}", interval=0.1)
        except AssertionError as exc:
            states = [(d["id"], d["status"], [a["outcome"] for a in d["attempts"]], d["last_error"]) for d in seen]
            raise AssertionError(f"{exc}\ndeliveries (id, status, attempts, last error): {states}") from None


@dataclasses.dataclass
class Account:
    """A user with a token, one printer, and webhook channels to one URL."""

    api: Api
    printer: dict
    printer_token: str
    channels: list[dict]

    def print_done(self, job_key: str = "1", filename: str = "benchy.gcode") -> int:
        body = {"type": "PrintDone", "print": {"job_key": job_key, "filename": filename}}
        return self.api.post_event(self.printer_token, body)["id"]


def set_up_account(stack: Stack, webhook_url: str, channels: int = 1, username: str = "maker") -> Account:
    api = stack.api()
    api.register(username)
    api.log_in(username)
    printer = api.create_printer("Prusa MK4")
    made = [api.create_webhook(webhook_url, label=f"hook {n}") for n in range(channels)]
    return Account(api, printer, printer["auth_token"], made)
