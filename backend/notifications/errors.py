"""Errors a plugin may raise to say how a failed send should be treated.

Any other exception is classified by `notifications.outcome`: network errors and timeouts are
transient, `NotImplementedError` means "not supported", everything else is permanent.
"""

from __future__ import annotations


class NotificationError(Exception):
    """A send failed. `status` is the provider's HTTP status, when there was one."""

    transient = False

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class TransientError(NotificationError):
    """Worth retrying later: the provider is down, slow, or asked us to slow down.
    `retry_after` (seconds) is honoured when set."""

    transient = True


class PermanentError(NotificationError):
    """Retrying will not help: bad configuration, a rejected request, a revoked token."""
