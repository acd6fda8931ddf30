"""Runs a few processes together and stops them together; the body of `manage.py serve`.

It uses the standard library only and is started with `os.execv`, so the process that stays
around for the whole life of the server holds none of Django (about 10 MB instead of 80).

    python core/supervisor.py '{"web": [argv...], "worker": [argv...]}' "<banner>"

Each child runs in its own session, so a terminal's Ctrl-C reaches only the supervisor. Ctrl-C or
SIGTERM stops every child with SIGTERM (SIGKILL after STOP_TIMEOUT); if a child exits by itself
the others are stopped too and the supervisor exits 1, so a service manager restarts the set.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

STOP_TIMEOUT = 25.0


def supervise(commands: dict[str, list[str]], banner: str = "") -> int:
    # The handler only appends to a list. It runs in the main thread between two bytecodes,
    # possibly while that thread holds a lock: a handler that takes one (threading.Event.set
    # does) deadlocks when a second signal lands there, as when a service manager or `make`
    # and the terminal each send one.
    stopping: list[int] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, _frame: stopping.append(signum))

    children = {
        name: subprocess.Popen(argv, start_new_session=True)  # noqa: S603 - argv from manage.py serve
        for name, argv in commands.items()
    }
    if banner:
        print(banner, flush=True)

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
        print(f"The {failed[0]} process exited with status {failed[1]}; stopped everything.", file=sys.stderr)
        return 1
    print("Printbell stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(supervise(json.loads(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else ""))
