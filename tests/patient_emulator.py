"""The Bot API emulator with waits sized for a slow, loaded CI machine.

`TelegramEmulator`'s waits default to 5 s. A reply that takes a few hundred milliseconds
on an idle machine can take several seconds when the two cores are shared with busy
neighbours, so tests wait up to `WAIT` seconds instead. A passing test never waits longer
than it takes the bot to answer; only a failing one waits the whole time.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.emulator import TelegramEmulator
from bot.emulator_messages import StoredMessage

WAIT = 30.0


class PatientEmulator(TelegramEmulator):
    """`TelegramEmulator` whose `wait_*` methods default to `WAIT` seconds."""

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = WAIT,  # noqa: ASYNC109 - the emulator's own signature
    ) -> None:
        await super().wait_until(predicate, timeout)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = WAIT,  # noqa: ASYNC109
    ) -> list[StoredMessage]:
        return await super().wait_for_messages(chat_id, count, timeout)

    async def wait_acknowledged(
        self,
        update_id: int,
        timeout: float = WAIT,  # noqa: ASYNC109
    ) -> None:
        await super().wait_acknowledged(update_id, timeout)
