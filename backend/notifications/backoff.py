"""When to try a failed delivery again."""

from __future__ import annotations

import random

from django.conf import settings


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    The provider's Retry-After wins when it gave one. Otherwise exponential backoff from
    DELIVERY_RETRY_BASE_SECONDS with "equal jitter" (between half and all of the step), so
    deliveries that failed together do not all come back at the same instant.
    """
    cap = settings.DELIVERY_RETRY_MAX_SECONDS
    if retry_after is not None:
        return min(max(retry_after, 0.0), cap)
    step = min(settings.DELIVERY_RETRY_BASE_SECONDS * (2 ** (attempt - 1)), cap)
    return step / 2 + random.uniform(0, step / 2)
