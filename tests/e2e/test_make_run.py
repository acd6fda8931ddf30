"""`make run` (the README's first command) installs what is missing, migrates an empty data folder
and serves. Run here in the working tree, whose .venv `make` reuses, on a free port rather than
8000 (the default, which another server on the machine may hold) and a fresh DATA_DIR."""

from __future__ import annotations

import json
import os
import shutil
import signal

import pytest

from tests.e2e.support import alive, command_line, descendants, processes_in, role

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# On a working tree where `make` has not installed .venv yet, the first run installs it.
INSTALL_SECONDS = 400


def test_make_run_migrates_a_new_data_folder_and_serves(make_stack):
    make = shutil.which("make")
    assert make, "`make run` is the documented way to start Printbell; make must be installed"
    stack = make_stack(migrated=False)  # an empty database: `make run` must migrate it
    proc = stack.spawn("make run", [make, "run"])

    stack.wait_healthy(proc, timeout=INSTALL_SECONDS)
    [serve] = [pid for pid in descendants(proc.pid) if role(pid) == "serve"]
    web = json.loads(command_line(serve)[2])["web"]
    assert web[web.index("--host") :][:4] == ["--host", "127.0.0.1", "--port", str(stack.port)]
    api = stack.api()
    assert api.register("maker")["is_staff"] is True  # the tables exist: migrated
    api.log_in("maker")
    assert api.call("GET", "/api/v1/printers/", 200) == []
    if not stack.database_url:
        assert (stack.data_dir / "printbell.sqlite3").is_file()

    tree = descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGTERM)  # what a terminal's Ctrl-C or a service manager does
    proc.wait(60)
    assert [pid for pid in tree if alive(pid)] == []
    assert processes_in(stack.data_dir) == []  # nothing left behind, not even an orphan
    assert not stack.answers()
