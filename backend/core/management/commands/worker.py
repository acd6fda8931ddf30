"""`manage.py worker`: run the task queue's consumer (deliveries, fan-out) and the sweeper that
recovers work lost by crashed workers. Run as many as you like, on as many machines as you like,
once DATABASE_URL and REDIS_URL point at shared services."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

logger = logging.getLogger("printbell.worker")


class Sweeper(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        from notifications.sweep import sweep
        from notifications.tasks import queue_is_empty

        while True:
            close_old_connections()
            try:
                sweep(queue_is_empty=queue_is_empty())
            except Exception:  # noqa: BLE001 - keep sweeping; the next round may succeed
                logger.exception("Sweep failed")
            if self.stopped.wait(self.interval):
                break
        connection.close()

    def stop(self) -> None:
        self.stopped.set()


class Command(BaseCommand):
    help = "Run a delivery worker (task consumer + sweeper)."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=settings.WORKER_THREADS, help="Concurrent deliveries.")

    def handle(self, *args, threads: int, **options):
        from huey.contrib.djhuey import HUEY

        from notifications import loader

        registry = loader.registry()
        logger.info(
            "Worker starting: %d threads, queue %s, plugins: %s",
            threads,
            type(HUEY.storage).__name__,
            ", ".join(sorted(registry.loaded)) or "none",
        )
        consumer = HUEY.create_consumer(
            workers=threads,
            worker_type="thread",
            initial_delay=settings.WORKER_POLL_INITIAL_SECONDS,
            backoff=1.3,
            max_delay=settings.WORKER_POLL_MAX_SECONDS,
            scheduler_interval=1,
            periodic=False,
            check_worker_health=True,
            graceful_signal="TERM",
            shutdown_timeout=settings.OUTBOUND_READ_TIMEOUT + 5,
        )
        sweeper = Sweeper(settings.DELIVERY_SWEEP_SECONDS)
        sweeper.start()
        try:
            consumer.run()
        finally:
            sweeper.stop()
