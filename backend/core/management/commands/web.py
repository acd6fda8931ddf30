"""`manage.py web`: the production WSGI server (gunicorn) alone, without a worker."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class GunicornApp(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


class Command(BaseCommand):
    help = "Run the web server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVE_PORT)
        parser.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.WEB_THREADS)

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        GunicornApp(
            {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "preload_app": True,
                "timeout": 60,
                "graceful_timeout": 20,
                "keepalive": 5,
                "accesslog": "-" if settings.WEB_ACCESS_LOG else None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "printbell-web",
            }
        ).run()
