"""Groups: whose conversation a question continues, commands for this bot or another, what
an admin's /sources shows to everyone, and /sources counts that add up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot import messages
from bot.app import BotConfig
from bot.emulator import TelegramEmulator
from bot.services import OutletCount, Overview
from tests.bot.alerts_world import (
    ADMIN_ID,
    CHIPS_CHINA,
    GROUP,
    LIBRARY,
    THRESHOLD,
    VOLCANO,
    AlertsWorld,
    alerts_world,
    cli_ingest,
    make_runtime,
    seed,
    settled,
    user,
)
from tests.bot.fakes import FakeNewsService
from tests.fakes.openai_server import FakeOpenAIServer

CONDENSE = "Standalone query"


def _responder(messages: list[dict[str, Any]]) -> str:
    """Condense requests get the last message back; questions get a cited answer."""
    content = messages[-1]["content"]
    if CONDENSE in content:
        return content.split("Last message:")[1].split(f"{CONDENSE}:")[0].strip()
    return "The volcano erupted again [1]."


@pytest.fixture
async def llm() -> AsyncIterator[FakeOpenAIServer]:
    async with FakeOpenAIServer(responder=_responder) as server:
        yield server


@pytest.fixture
async def llm_world(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig, llm: FakeOpenAIServer
) -> AsyncIterator[AlertsWorld]:
    """The real bot and news service over a small index, answering through the fake LLM."""
    runtime = make_runtime(
        tmp_path / "data",
        OPENAI_BASE_URL=llm.base_url,
        OPENAI_API_KEY="sk-test-key",
        LLM_MAX_RETRIES=0,
    )
    seed(runtime, [LIBRARY, VOLCANO, CHIPS_CHINA])
    async with alerts_world(runtime, emulator, config) as started:
        yield started


def _condensed(llm: FakeOpenAIServer) -> list[str]:
    """The conversation and last message of every condense request, in order."""
    return [
        r.messages[-1]["content"] for r in llm.requests if CONDENSE in r.messages[-1]["content"]
    ]


async def test_a_group_mention_starts_fresh_and_a_reply_continues(
    llm_world: AlertsWorld, llm: FakeOpenAIServer
) -> None:
    world = llm_world
    alice, bob = user(world, "Alice"), user(world, "Bob")
    group = {"chat_type": "supergroup"}
    await world.reply(GROUP, "@newsbot_bot is the volcano still erupting?", bob, **group)
    [bobs_answer] = world.emulator.bot_messages(GROUP)
    assert bobs_answer.text.startswith("The volcano erupted again [1].")

    # Alice's own question is not read in the light of Bob's conversation.
    await world.reply(GROUP, "@newsbot_bot when did it start?", alice, **group)
    assert _condensed(llm) == []

    # A reply to Bob's answer continues it, whoever replies.
    await world.reply(
        GROUP, "and when did it start?", alice, reply_to_message_id=bobs_answer.message_id, **group
    )
    [condense] = _condensed(llm)
    assert "is the volcano still erupting?" in condense
    assert "Last message: and when did it start?" in condense

    # A private chat still continues from its recent turns without a reply.
    await world.reply(alice["id"], "is the volcano still erupting?", alice)
    await world.reply(alice["id"], "when did it start?", alice)
    private = _condensed(llm)[-1]
    assert "is the volcano still erupting?" in private
    assert "Last message: when did it start?" in private


async def test_help_says_how_group_conversations_work(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
) -> None:
    alice = emulator.create_user("Alice")
    emulator.send_text(GROUP, "/help@newsbot_bot", user=alice, chat_type="group")
    [reply] = await emulator.wait_for_messages(GROUP, 1)
    assert "In a group, mention me to ask a new question, or reply to one of my answers" in (
        reply.text
    )


async def test_unknown_commands_addressed_to_this_bot_are_answered(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    news: FakeNewsService,
) -> None:
    alice = emulator.create_user("Alice")
    for text in ("/foo", "/foo@otherbot", "/ask@otherbot who?", "/foo@NewsBot_bot", "/help"):
        emulator.send_text(GROUP, text, user=alice, chat_type="supergroup")
    # One chat's updates are handled in order: the /help answer comes after everything else.
    unknown, help_text = await emulator.wait_for_messages(GROUP, 2)
    assert unknown.text == messages.UNKNOWN_COMMAND
    assert unknown.reply_to_message_id == emulator.messages(GROUP)[3].message_id
    assert help_text.text.startswith("How to use me")
    assert news.calls == []
    # In a private chat every unknown command is answered.
    emulator.send_text(alice["id"], "/foo", user=alice)
    [private] = await emulator.wait_for_messages(alice["id"], 1)
    assert private.text == messages.UNKNOWN_COMMAND


async def test_admin_sources_in_a_group_shows_the_public_overview_only(
    world: AlertsWorld,
) -> None:
    admin = user(world, "Ada", user_id=ADMIN_ID)
    world.emulator.send_text(GROUP, "/sources", user=admin, chat_type="supergroup")
    world.emulator.send_text(GROUP, "/help", user=admin, chat_type="supergroup")
    overview, help_text = await world.emulator.wait_for_messages(GROUP, 2)
    assert overview.text.startswith("Indexed news\n1 article from 1 outlet")
    assert help_text.text.startswith("How to use me")  # nothing came in between

    # In a private chat the admin also gets the registered sources.
    world.emulator.send_text(ADMIN_ID, "/sources", user=admin)
    public, registered = await world.emulator.wait_for_messages(ADMIN_ID, 2)
    assert public.text == overview.text
    assert registered.text.startswith("No feeds or pages are registered")


async def test_sources_header_counts_articles_with_no_outlet_named(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    news: FakeNewsService,
) -> None:
    news.overview_value = Overview(
        outlets=(OutletCount("Wikinews", 3), OutletCount("CNN", 1)),
        article_count=5,
        first_published=datetime(2024, 1, 2, tzinfo=UTC),
        last_published=datetime(2024, 3, 5, tzinfo=UTC),
    )
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "/sources", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    header, bullets = reply.text.split("\n\n")
    assert header.startswith(
        "Indexed news\n5 articles (4 from 2 outlets, 1 with no outlet named), published"
    )
    assert bullets.splitlines() == [
        "• Wikinews: 3 articles",
        "• CNN: 1 article",
        "• no outlet named: 1 article",
    ]


async def test_a_reply_to_an_alert_in_a_group_continues_the_alert_alone(
    tmp_path: Path, emulator: TelegramEmulator, config: BotConfig, llm: FakeOpenAIServer
) -> None:
    runtime = make_runtime(
        tmp_path / "data",
        ALERT_THRESHOLD=THRESHOLD,
        OPENAI_BASE_URL=llm.base_url,
        OPENAI_API_KEY="sk-test-key",
        LLM_MAX_RETRIES=0,
    )
    seed(runtime, [LIBRARY, CHIPS_CHINA])
    async with alerts_world(runtime, emulator, config) as world:
        bob, carol = user(world, "Bob"), user(world, "Carol")
        group = {"chat_type": "supergroup"}
        world.emulator.set_chat_admins(GROUP, [carol["id"]])
        await world.reply(GROUP, "/subscribe volcano eruption", carol, **group)
        # Another member's question, asked before the alert arrives.
        await world.reply(GROUP, "@newsbot_bot what about chip export controls?", bob, **group)
        await cli_ingest(world.runtime, tmp_path / "in.jsonl", [VOLCANO])
        await settled(world)
        alert = world.emulator.bot_messages(GROUP)[-1]
        assert alert.text.startswith(VOLCANO.title)
        await world.admin.reloader.reload()

        before = len(llm.requests)
        await world.reply(
            GROUP, "and the mayor?", carol, reply_to_message_id=alert.message_id, **group
        )
    # The follow-up is read with the alert alone: nothing sent to the model for it (no
    # condensing, then the answer) carries the other member's question.
    sent = [str(r.messages).lower() for r in llm.requests[before:]]
    assert sent
    assert all("chip" not in text for text in sent)
    assert "and the mayor?" in sent[-1]
    assert VOLCANO.title.lower() in sent[-1]


async def test_a_reply_in_a_group_continues_its_own_chain_only(
    llm_world: AlertsWorld, llm: FakeOpenAIServer
) -> None:
    world = llm_world
    alice, bob, carol = user(world, "Alice"), user(world, "Bob"), user(world, "Carol")
    group = {"chat_type": "supergroup"}
    await world.reply(GROUP, "@newsbot_bot is the volcano still erupting?", alice, **group)
    alices_answer = world.emulator.bot_messages(GROUP)[-1]
    # Bob's conversation runs in between.
    await world.reply(GROUP, "@newsbot_bot what about chip export controls?", bob, **group)

    await world.reply(
        GROUP, "when did it start?", carol, reply_to_message_id=alices_answer.message_id, **group
    )
    first = _condensed(llm)[-1]
    assert "is the volcano still erupting?" in first
    assert "what about chip export controls?" not in first  # Bob's turns are not in it

    # A reply to that reply continues the chain: both earlier questions, still not Bob's.
    follow_up = world.emulator.bot_messages(GROUP)[-1]
    await world.reply(
        GROUP, "how many left?", alice, reply_to_message_id=follow_up.message_id, **group
    )
    second = _condensed(llm)[-1]
    assert "is the volcano still erupting?" in second
    assert "when did it start?" in second
    assert "Last message: how many left?" in second
    assert "what about chip export controls?" not in second
