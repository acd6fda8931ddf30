"""Workers as separate processes beside `manage.py web`: a worker killed with SIGKILL mid-delivery
loses nothing, and two workers on one queue send each delivery exactly once."""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from tests.e2e.support import ServerQueue, set_up_account, wait_until

pytestmark = pytest.mark.e2e


def test_a_worker_killed_mid_delivery_loses_nothing(stack, receiver):
    web = stack.web()
    stack.wait_healthy(web)
    account = set_up_account(stack, receiver.url, channels=10)
    settings = {"WORKER_THREADS": "4", "DELIVERY_LEASE_SECONDS": "3", "DELIVERY_SWEEP_SECONDS": "0.5"}

    receiver.hold()  # every webhook request hangs, unanswered
    doomed = stack.worker(**settings)
    event_id = account.print_done()
    receiver.wait_in_flight(4, timeout=30)  # all four threads are mid-request
    doomed.send(signal.SIGKILL)
    assert doomed.wait(10) == -signal.SIGKILL
    in_flight = {r.headers["x-printbell-delivery"] for r in receiver.requests}
    assert len(in_flight) == 4
    receiver.release()

    stack.worker(**settings)
    deliveries = account.api.wait_for_deliveries(event_id, 10, timeout=60)

    assert [d["status"] for d in deliveries] == ["sent"] * 10, deliveries
    received = Counter(r.headers["x-printbell-delivery"] for r in receiver.requests)
    assert {d["delivery_id"] for d in deliveries} <= set(received)
    recovered = [d for d in deliveries if any(a["outcome"] == "lost" for a in d["attempts"])]
    # Exactly the ones the killed worker had in flight were recovered, and sent by the new worker.
    assert {d["delivery_id"] for d in recovered} == in_flight
    for d in recovered:
        assert [(a["number"], a["outcome"]) for a in d["attempts"]] == [(1, "lost"), (2, "sent")], d
        assert received[d["delivery_id"]] == 2
    for d in deliveries:
        if d not in recovered:
            assert [a["outcome"] for a in d["attempts"]] == ["sent"], d


def test_two_workers_on_one_queue_send_each_delivery_exactly_once(stack, receiver):
    web = stack.web()
    stack.wait_healthy(web)
    account = set_up_account(stack, receiver.url, channels=20)
    settings = {"WORKER_THREADS": "4", "DELIVERY_SWEEP_SECONDS": "0.2"}
    queue = ServerQueue(stack)

    receiver.hold()
    first, second = stack.worker(**settings), stack.worker(**settings)
    event_id = account.print_done()
    # Eight requests in flight at once: four threads each, so both workers are taking tasks.
    receiver.wait_in_flight(8, timeout=30)
    # A second task for every delivery, as a sweep or a redelivered message would queue: the
    # two workers now race for the same deliveries, and only the claim keeps them apart.
    ids = [d["id"] for d in account.api.deliveries(event=event_id)]
    assert len(ids) == 20
    queue.enqueue_deliveries(ids)
    receiver.release()
    deliveries = account.api.wait_for_deliveries(event_id, 20, timeout=60)
    wait_until(lambda: queue.size() == 0 and receiver.in_flight == 0, 30, "every queued task to be taken")

    assert [d["status"] for d in deliveries] == ["sent"] * 20, deliveries
    assert all(d["attempt_count"] == 1 and len(d["attempts"]) == 1 for d in deliveries), deliveries
    received = Counter(r.headers["x-printbell-delivery"] for r in receiver.requests)
    assert received == Counter({d["delivery_id"]: 1 for d in deliveries})
    assert first.returncode is None and second.returncode is None
