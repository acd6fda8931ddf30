from __future__ import annotations

import pytest

from notifications.backoff import retry_delay


@pytest.fixture(autouse=True)
def _base(settings):
    settings.DELIVERY_RETRY_BASE_SECONDS = 5
    settings.DELIVERY_RETRY_MAX_SECONDS = 3600


@pytest.mark.parametrize(("attempt", "step"), [(1, 5), (2, 10), (3, 20), (6, 160)])
def test_exponential_with_equal_jitter(attempt, step):
    delays = {retry_delay(attempt) for _ in range(200)}
    assert all(step / 2 <= d <= step for d in delays)
    assert len(delays) > 100  # jittered, not all the same


def test_capped():
    assert all(1800 <= retry_delay(30) <= 3600 for _ in range(50))


def test_retry_after_wins_but_is_capped():
    assert retry_delay(1, retry_after=42) == 42
    assert retry_delay(1, retry_after=0) == 0
    assert retry_delay(1, retry_after=10**9) == 3600
