"""Settings for the test suite: the real settings, with a throw-away data folder, a queue of its
own, and retries without waiting. DATABASE_URL and REDIS_URL are honoured, so the same suite
runs on the embedded stack and on PostgreSQL + Redis."""

import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="printbell-test-"))
os.environ.setdefault("HUEY_NAME", f"printbell-test-{os.getpid()}")
os.environ.setdefault("DELIVERY_RETRY_BASE_SECONDS", "0")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SITE_URL", "http://printbell.test")
os.environ.setdefault("PRINTBELL_ENV_FILE", os.devnull)  # a developer's .env must not leak in

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
AUTH_RATE_LIMIT = "100000/min"  # tests sign in often; tests/test_api_auth.py checks the limit itself
