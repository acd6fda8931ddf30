"""`manage.py serve`: the web server and a worker together, for one machine.

Each runs in its own process (and process group, so a terminal's Ctrl-C reaches only this
supervisor). Ctrl-C or SIGTERM stops both cleanly; if either dies, the other is stopped too and
the exit status says so, so a service manager can restart the pair.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

MANAGE = str(Path(settings.BACKEND_DIR) / "manage.py")
STOP_TIMEOUT = 25.0


class Command(BaseCommand):
    help = "Run the web server and a delivery worker together."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVE_PORT)
        parser.add_argument("--web-workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--worker-threads", type=int, default=settings.WORKER_THREADS)

    def handle(self, *args, host: str, port: int, web_workers: int, worker_threads: int, **options):
        py = sys.executable
        commands = {
            "web": [py, MANAGE, "web", "--host", host, "--port", str(port), "--workers", str(web_workers)],
            "worker": [py, MANAGE, "worker", "--threads", str(worker_threads)],
        }
        # The handler only appends to a list. It runs in the main thread between two bytecodes,
        # possibly while that thread holds a lock: a handler that takes one (threading.Event.set
        # does) deadlocks when a second signal lands there, as when a service manager or `make`
        # and the terminal each send one.
        stopping: list[int] = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda signum, _frame: stopping.append(signum))

        children = {
            name: subprocess.Popen(cmd, start_new_session=True)  # noqa: S603 - our own argv
            for name, cmd in commands.items()
        }
        shown = host if ":" not in host else f"[{host}]"
        self.stdout.write(f"Printbell is running at http://{shown}:{port}/  (Ctrl-C to stop)")

        failed = None
        while not stopping and failed is None:
            for name, proc in children.items():
                if proc.poll() is not None:
                    failed = (name, proc.returncode)
                    break
            else:
                time.sleep(0.2)  # a signal is seen within this long

        for proc in children.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for proc in children.values():
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if failed:
            self.stderr.write(f"The {failed[0]} process exited with status {failed[1]}; stopped everything.")
            sys.exit(1)
        self.stdout.write("Printbell stopped.")
