"""`manage.py serve`: the web server and a worker together, for one machine.

Each runs in its own process; this command hands over (with exec) to `core/supervisor.py`, which
stops both cleanly on Ctrl-C or SIGTERM and stops the other if either dies (exit status 1, so a
service manager can restart the pair).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

MANAGE = str(Path(settings.BACKEND_DIR) / "manage.py")
SUPERVISOR = str(Path(settings.BACKEND_DIR) / "core" / "supervisor.py")


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
        shown = host if ":" not in host else f"[{host}]"
        banner = f"Printbell is running at http://{shown}:{port}/  (Ctrl-C to stop)"
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(py, [py, SUPERVISOR, json.dumps(commands), banner])  # noqa: S606 - our own argv
