"""The log's account of a database outage, told once rather than at every failed look.

While the database is down, every chat question, every alert delivery round (every few
seconds) and every index watch (every 10 s) fails: a line, let alone a traceback, for each
made ~54k lines an hour. The outage is said once, as a WARNING with the driver's reason,
then at most once per `repeat` while it lasts, and once (INFO) when the database is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from index.errors import StorageError

logger = logging.getLogger(__name__)

REPEAT_SECONDS = 300.0


class StorageOutage:
    """Failures and successes of storage work, on the event loop, told as state changes."""

    def __init__(
        self,
        *,
        repeat_seconds: float = REPEAT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repeat = repeat_seconds
        self._clock = clock
        self._since: float | None = None  # when the outage was first noticed
        self._last_said = 0.0
        self._failures = 0

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def failed(self, error: StorageError, noticed_by: str) -> None:
        """Storage work of `noticed_by` ("the index watch") failed with `error`."""
        now = self._clock()
        reason = error.detail or error.user_message
        self._failures += 1
        if self._since is None:
            self._since = self._last_said = now
            logger.warning(
                "the database is unavailable (%s), noticed by %s; until it is back this is "
                "repeated every %s at most",
                reason,
                noticed_by,
                _duration(self._repeat),
            )
        elif now - self._last_said >= self._repeat:
            self._last_said = now
            logger.warning(
                "the database is still unavailable after %s (%s; %d failed attempts)",
                _duration(now - self._since),
                reason,
                self._failures,
            )

    def succeeded(self) -> None:
        """Storage work went through: the end of an outage, if there was one."""
        if self._since is None:
            return
        logger.info(
            "the database is available again after %s (%d failed attempts meanwhile)",
            _duration(self._clock() - self._since),
            self._failures,
        )
        self._since = None
        self._failures = 0


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"
