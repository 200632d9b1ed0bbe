"""A long answer goes out in several messages: a reply to any of them continues its
conversation, in a private chat and in a group (the real bot, news service and store; the
assistant is scripted, so the answers are long and the history it is given is seen)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import BotConfig, build_application, polling
from bot.emulator import TelegramEmulator
from bot.emulator_messages import StoredMessage
from bot.news_service import StoreNewsService
from index.db import make_engine, make_session_factory, upgrade_database
from retrieval.types import Answer
from tests.bot.fakes import make_answer
from tests.conftest import sqlite_url

GROUP = -100_777
SOURCES = [("Lava reaches the road", "https://news.example/lava", "Nordic Wire", None)]
LONG = "".join(f"Lava flow {n} reached the coastal road near the village [1]. " for n in range(150))


@dataclasses.dataclass
class ScriptedAssistant:
    """Answers questions about lava at length, anything else briefly; keeps each history."""

    histories: list[list[tuple[str, str]]] = dataclasses.field(default_factory=list)

    async def ask(self, question: str, *, history: Sequence[tuple[str, str]], **_: Any) -> Answer:
        self.histories.append(list(history))
        text = LONG if "lava" in question else f"Short answer to {question} [1]."
        return make_answer(text, SOURCES)


@dataclasses.dataclass
class Chat:
    emulator: TelegramEmulator
    application: Application  # type: ignore[type-arg]
    assistant: ScriptedAssistant

    async def say(self, chat_id: int, text: str, user: dict[str, Any], **kw: Any) -> None:
        """Send a message and wait until the bot has handled it."""
        update = self.emulator.send_text(chat_id, text, user=user, **kw)
        await self.emulator.wait_acknowledged(update["update_id"])
        await self.application.update_queue.join()

    def last_history(self) -> list[str]:
        return [text for _, text in self.assistant.histories[-1]]


@pytest.fixture
async def chat(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig
) -> AsyncIterator[Chat]:
    engine = make_engine(sqlite_url(tmp_path))
    upgrade_database(engine)
    assistant = ScriptedAssistant()
    service = StoreNewsService(
        assistant=assistant,  # type: ignore[arg-type]
        sessions=make_session_factory(engine),
    )
    application = build_application(config, service)
    try:
        async with polling(application, poll_timeout=5.0):
            yield Chat(emulator, application, assistant)
    finally:
        engine.dispose()


def _pieces(emulator: TelegramEmulator, chat_id: int) -> list[StoredMessage]:
    pieces = emulator.bot_messages(chat_id)
    assert len(pieces) >= 3  # the answer really went out in several messages
    return pieces


async def test_a_reply_to_any_piece_in_a_group_continues_the_answer(chat: Chat) -> None:
    alice = chat.emulator.create_user("Alice")
    bob = chat.emulator.create_user("Bob")
    group = {"chat_type": "supergroup"}
    await chat.say(GROUP, "@newsbot_bot where did the lava go?", alice, **group)
    pieces = _pieces(chat.emulator, GROUP)

    for piece in pieces:
        await chat.say(
            GROUP, "and the airport?", bob, reply_to_message_id=piece.message_id, **group
        )
        assert chat.last_history() == ["where did the lava go?", LONG], piece.message_id


async def test_a_reply_to_a_later_piece_in_a_private_chat_continues_that_answer(
    chat: Chat,
) -> None:
    alice = chat.emulator.create_user("Alice")
    private = alice["id"]
    await chat.say(private, "where did the lava go?", alice)
    pieces = _pieces(chat.emulator, private)
    # Another exchange comes in between: a reply to the long answer goes back past it.
    await chat.say(private, "what about chip export controls?", alice)
    assert "what about chip export controls?" not in chat.last_history()

    await chat.say(private, "and the airport?", alice, reply_to_message_id=pieces[-1].message_id)
    assert chat.last_history() == ["where did the lava go?", LONG]
