"""getUpdates as the emulator answers it: a long poll held open until an update arrives.

`Changes` wakes every waiter when the emulator state changes; `UpdatePoll` holds a
getUpdates call on it until an update the bot asked for is queued, the poll times out, or
the emulator stops. `allowed_updates` is remembered between calls, as the real server does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.emulator_messages import Json
from bot.emulator_methods import confirm, pending
from bot.emulator_state import BotApiState

RECHECK_SECONDS = 0.05


class Changes:
    """Wakes every coroutine waiting for the state to change."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not predicate():
                waiter = asyncio.get_running_loop().create_future()
                self._waiters.add(waiter)
                try:
                    # A predicate may read state the emulator does not hold (a hook's list
                    # in a test): look again now and then, not only on the next change.
                    await asyncio.wait([waiter], timeout=RECHECK_SECONDS)
                finally:
                    self._waiters.discard(waiter)


class UpdatePoll:
    """The getUpdates calls of one emulator (held polls are released by `close`)."""

    def __init__(self, state: BotApiState) -> None:
        self._state = state
        self.changes = Changes()
        self._allowed_updates: list[str] = []
        self.closing = False

    def close(self) -> None:
        self.closing = True
        self.changes.notify()  # release held long polls

    async def get_updates(self, params: Json) -> list[Json]:
        confirm(self._state, params.get("offset"))
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        query = {**params, "allowed_updates": self._allowed_updates}
        timeout = float(params.get("timeout") or 0)
        if timeout > 0 and not self.closing:
            try:
                await self.changes.wait_for(
                    lambda: self.closing or bool(pending(self._state, query)), timeout
                )
            except TimeoutError:
                return []
        return [] if self.closing else pending(self._state, query)
