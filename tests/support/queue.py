"""Runs the task queue in the test's own thread, exactly as a worker would, until it is empty."""

from __future__ import annotations

import datetime as dt
import time

from huey.contrib.djhuey import HUEY


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def drain(timeout: float = 15.0) -> int:
    """Execute queued tasks (and scheduled ones as they fall due) until none are left.

    A task scheduled in the future is run when its time comes, as Huey's scheduler would: that
    wait is the behaviour under test (a retry delay), not synchronisation. Returns how many tasks
    ran."""
    deadline = time.monotonic() + timeout
    ran = 0
    while True:
        task = HUEY.dequeue()
        if task is not None:
            HUEY.execute(task)
            ran += 1
            continue
        due = HUEY.read_schedule(_now())
        for task in due:
            HUEY.enqueue(task)
        if due:
            continue
        scheduled = HUEY.scheduled()
        if not scheduled:
            return ran
        wait = (min(t.eta for t in scheduled) - _now()).total_seconds()
        if time.monotonic() + wait > deadline:
            raise AssertionError(f"a task is scheduled {wait:.1f}s ahead, beyond the {timeout}s allowed")
        time.sleep(max(wait, 0.0) + 0.001)
