"""Where settings come from: the process environment, then an optional `.env` file.

The `.env` file is read into `os.environ` (without overriding variables that are already set), so
that plugins which check `os.environ` directly, as the seed tutorial shows, see its values too.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ

BACKEND_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = BACKEND_DIR.parent

env = environ.Env()


def load_dotenv() -> Path | None:
    """Read `PRINTBELL_ENV_FILE` (default: `<repo>/.env`) into `os.environ` if it exists."""
    path = Path(os.environ.get("PRINTBELL_ENV_FILE") or REPO_DIR / ".env")
    if path.is_file():
        environ.Env.read_env(str(path), overwrite=False)
        return path
    return None


def data_dir() -> Path:
    path = Path(env("DATA_DIR", default=str(REPO_DIR / "data"))).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(data: Path) -> str:
    """`SECRET_KEY` from the environment, else one generated once and kept in the data folder."""
    value = env("SECRET_KEY", default="")
    if value:
        return value
    key_file = data / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(50)
    tmp = key_file.with_name(f".secret_key.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    try:
        # Atomic and never overwrites: if another process won the race, use its key.
        os.link(tmp, key_file)
    except FileExistsError:
        value = key_file.read_text().strip()
    finally:
        tmp.unlink()
    return value
