"""The typing indicator lets a chat action in flight finish, within a grace period."""

from __future__ import annotations

import asyncio

import pytest

from bot import handlers_stream
from bot.handlers_stream import typing_indicator


class _Bot:
    """Records chat actions; each takes `delay` seconds (None: until cancelled)."""

    def __init__(self, delay: float | None) -> None:
        self.delay = delay
        self.started = 0
        self.finished = 0
        self.cancelled = 0

    async def send_chat_action(self, chat_id: int, action: str) -> bool:
        self.started += 1
        try:
            if self.delay is None:
                await asyncio.Event().wait()
            await asyncio.sleep(self.delay or 0)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1
        return True


async def test_a_quick_answer_still_lets_the_first_chat_action_arrive() -> None:
    bot = _Bot(delay=0.05)
    async with typing_indicator(bot, 1, interval=60):  # type: ignore[arg-type]
        await asyncio.sleep(0)  # the work is done before the request is answered
    assert (bot.started, bot.finished, bot.cancelled) == (1, 1, 0)


async def test_a_held_up_chat_action_is_cancelled_after_the_grace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(handlers_stream, "_TYPING_GRACE", 0.05)
    bot = _Bot(delay=None)
    async with typing_indicator(bot, 1, interval=60):  # type: ignore[arg-type]
        await asyncio.sleep(0)
    assert (bot.started, bot.finished, bot.cancelled) == (1, 0, 1)
