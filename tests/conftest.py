from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.support.receiver import Receiver

TESTS_DIR = Path(__file__).resolve().parent
PLUGIN_FIXTURES = TESTS_DIR / "plugins"


def pytest_sessionstart(session):
    """The scale-out run needs the real PostgreSQL and Redis; say so plainly if one is down."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        try:
            psycopg.connect(
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                user=db["USER"] or None,
                dbname="postgres",  # the server, not the database pytest-django will create
                password=db["PASSWORD"] or None,
                connect_timeout=5,
            ).close()
        except Exception as exc:
            pytest.exit(
                f"PostgreSQL is not reachable at {db['HOST']}:{db['PORT']} ({exc}). The scale-out tests "
                "need it running: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                returncode=3,
            )
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5).ping()
        except Exception as exc:
            pytest.exit(
                f"Redis is not reachable at {settings.REDIS_URL} ({exc}). The scale-out tests need it "
                "running: redis-server --daemonize yes --bind 127.0.0.1 --port 6379",
                returncode=3,
            )


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    queue = "redis" if settings.REDIS_URL else "sqlite"
    return f"printbell: database={db} queue={queue} data={settings.DATA_DIR}"


@pytest.fixture(autouse=True)
def _empty_queue():
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    yield
    HUEY.flush()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def plugin_dirs(settings):
    """Load plugins from extra folders for one test: `plugin_dirs(path, ...)`."""
    from notifications import loader

    def use(*dirs: Path | str):
        settings.NOTIFICATION_PLUGIN_DIRS = [str(d) for d in dirs]
        return loader.reload()

    yield use
    settings.NOTIFICATION_PLUGIN_DIRS = []
    loader.reload()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        "alice", "alice@example.com", "pw-alice-123", first_name="Alice", last_name="Liddell"
    )


@pytest.fixture
def other_user(django_user_model):
    return django_user_model.objects.create_user("bob", "bob@example.com", "pw-bob-123")


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def other_api(other_user):
    client = APIClient()
    client.force_authenticate(other_user)
    return client


@pytest.fixture
def make_printer():
    """make_printer(owner, name=...) -> (printer, token)"""
    from printers.models import Printer
    from printers.views import _issue_token

    def make(owner, name="Prusa MK4", **fields):
        printer = Printer(owner=owner, name=name, **fields)
        token = _issue_token(printer)
        printer.save()
        return printer, token

    return make


@pytest.fixture
def printer(user, make_printer):
    return make_printer(user)


@pytest.fixture
def make_channel():
    from notifications.models import NotificationSetting

    def make(user, name="webhook", config=None, printers=(), **fields):
        channel = NotificationSetting.objects.create(user=user, name=name, config=config or {}, **fields)
        if printers:
            channel.printers.set(printers)
        return channel

    return make


@pytest.fixture
def post_event():
    """post_event(token, body) -> response, posting as the printer's agent would."""

    def post(token, body, **kwargs):
        client = APIClient()
        return client.post(
            "/api/v1/printer/events/",
            body,
            format=kwargs.pop("format", "json"),
            HTTP_AUTHORIZATION=f"Bearer {token}",
            **kwargs,
        )

    return post
