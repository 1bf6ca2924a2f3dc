"""A circuit breaker per cache server: after a failure, skip the server a while.

The breaker only keeps time; the stores decide what counts as a failure.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_COOLDOWN = 30.0


class CircuitBreaker:
    """Open for ``cooldown`` seconds after a failure, then let one trial call through.

    While open, :meth:`allow` is False and callers fail at once instead of waiting
    for a timeout. The first call after the cooldown is the trial: success closes
    the breaker, failure opens it for another cooldown.
    """

    def __init__(
        self,
        cooldown: float = DEFAULT_COOLDOWN,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def allow(self) -> bool:
        """Say whether a call may go to the server now."""
        with self._lock:
            if self._open_until is None:
                return True
            if self._trial_running or self._clock() < self._open_until:
                return False

            self._trial_running = True
            return True

    def record_success(self) -> None:
        with self._lock:
            self._open_until = None
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._open_until = self._clock() + self.cooldown
            self._trial_running = False

    def seconds_left(self) -> float:
        """Seconds until the next trial call; 0 when closed."""
        with self._lock:
            if self._open_until is None:
                return 0.0
            return max(0.0, self._open_until - self._clock())
