"""The update processor: concurrency across chats, order within a chat, no lock leaks."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.processor import PerChatUpdateProcessor, chat_key


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_chats_overlap_and_each_chat_keeps_order() -> None:
    processor = PerChatUpdateProcessor(16)
    events: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, wait: bool) -> None:
        events.append(f"start {name}")
        if wait:
            await gate.wait()
        events.append(f"end {name}")

    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(_update(1, 10), work("a1", True))),
            asyncio.create_task(processor.process_update(_update(2, 10), work("a2", False))),
            asyncio.create_task(processor.process_update(_update(3, 20), work("b1", False))),
        ]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert events == ["start a1", "start b1", "end b1"]  # chat 20 did not wait for chat 10
        assert processor.active_chats == 1
        gate.set()
        await asyncio.gather(*tasks)
    assert events[3:] == ["end a1", "start a2", "end a2"]
    assert processor.active_chats == 0


def test_chat_key() -> None:
    assert chat_key(_update(1, 42)) == 42
    assert chat_key(object()) is None
    assert chat_key(Update(5)) is None
