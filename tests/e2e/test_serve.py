"""`manage.py serve` supervises the web server and the worker: Ctrl-C or SIGTERM stops both
cleanly; if one of them dies, it stops the other and exits non-zero."""

from __future__ import annotations

import os
import signal

import pytest

from tests.e2e.support import alive, children, descendants, processes_in, role, set_up_account

pytestmark = pytest.mark.e2e


def _started(stack):
    """A running `serve` whose web server answers, and its two children by role."""
    server = stack.serve()
    stack.wait_healthy(server)
    roles = {role(pid): pid for pid in children(server.pid)}
    assert set(roles) == {"web", "worker"}, roles
    return server, roles


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_web_and_worker_cleanly(stack, receiver, signum):
    server, roles = _started(stack)
    account = set_up_account(stack, receiver.url)
    event_id = account.print_done()
    [delivery] = account.api.wait_for_deliveries(event_id, 1)  # the worker is up and consuming
    assert delivery["status"] == "sent"
    tree = descendants(server.pid)  # the children and the web server's own workers
    assert set(roles.values()) < set(tree)

    server.send(signum)

    assert server.wait(40) == 0, server.output()
    assert [pid for pid in tree if alive(pid)] == []
    assert processes_in(stack.data_dir) == []  # nothing left behind, not even an orphan
    assert not stack.answers()
    assert "Printbell stopped." in server.output()


def test_serve_exits_non_zero_and_stops_the_web_server_when_the_worker_dies(stack):
    server, roles = _started(stack)
    tree = descendants(server.pid)

    os.kill(roles["worker"], signal.SIGKILL)

    assert server.wait(40) != 0
    assert [pid for pid in tree if alive(pid)] == []
    assert processes_in(stack.data_dir) == []  # nothing left behind, not even an orphan
    assert not stack.answers()
    assert "The worker process exited with status -9" in server.output()
