"""Per-user question limit over a sliding window (in memory, one bot process)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class QuestionLimiter:
    """At most `limit` questions per user in any `window` seconds; `limit <= 0` disables it."""

    def __init__(
        self,
        limit: int,
        window: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if window <= 0:
            raise ValueError("window must be positive")
        self._limit = limit
        self._window = window
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._swept_at = clock()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def tracked_users(self) -> int:
        return len(self._asked)

    def try_acquire(self, user_id: int) -> float | None:
        """Count one question; None when allowed, else seconds until the next is allowed."""
        if self._limit <= 0:
            return None
        now = self._clock()
        times = self._asked.setdefault(user_id, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        if len(times) >= self._limit:
            return times[0] + self._window - now
        times.append(now)
        self._forget_idle(now)
        return None

    def _forget_idle(self, now: float) -> None:
        # Memory stays bounded by recently active users: sweep at most once per window.
        if now - self._swept_at < self._window:
            return
        self._swept_at = now
        for user_id in [u for u, t in self._asked.items() if not t or t[-1] <= now - self._window]:
            del self._asked[user_id]
