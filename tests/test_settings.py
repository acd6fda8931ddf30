"""Settings come from the environment and `.env`; the embedded defaults need nothing installed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

PROBE = (
    "import json; from django.conf import settings as s; from huey.contrib.djhuey import HUEY; "
    "print(json.dumps({'key': s.SECRET_KEY, 'db': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'queue': type(HUEY).__name__, 'site': s.SITE_URL, "
    "'dirs': s.NOTIFICATION_PLUGIN_DIRS}))"
)


def _settings(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SITE_URL")}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base.update(DATA_DIR=str(tmp_path / "data"), PRINTBELL_ENV_FILE=str(tmp_path / ".env"), **env)
    out = subprocess.run(
        [sys.executable, "backend/manage.py", "shell", "-c", PROBE],
        env=base, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_defaults(tmp_path):
    s = _settings(tmp_path)
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "data" / "printbell.sqlite3")
    assert s["queue"] == "EmbeddedHuey"
    assert s["site"] == "http://127.0.0.1:8000"


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = _settings(tmp_path)["key"]
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text() == first and len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _settings(tmp_path)["key"] == first
    assert _settings(tmp_path, SECRET_KEY="from-env")["key"] == "from-env"


def test_dotenv_file_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text(
        "SITE_URL=https://printbell.example\nNOTIFICATION_PLUGIN_DIRS=/a:/b\nREDIS_URL=redis://127.0.0.1:6379/9\n"
    )
    s = _settings(tmp_path)
    assert s["site"] == "https://printbell.example"
    assert s["dirs"] == ["/a", "/b"]
    assert s["queue"] == "RedisHuey"
    assert _settings(tmp_path, SITE_URL="http://override:1")["site"] == "http://override:1"


def test_database_url_switches_to_postgresql(tmp_path):
    s = _settings(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/somedb")
    assert s["db"] == "django.db.backends.postgresql" and s["name"] == "somedb"
