"""The real Application, polling the emulator: what users see in chat."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from telegram.ext import Application

from bot import messages
from bot.emulator import TelegramEmulator
from bot.html_text import visible_length
from bot.render import render_answer
from bot.services import Headline
from index.errors import LLMError
from tests.bot.conftest import TOKEN, StartBot
from tests.bot.fakes import FakeNewsService, make_answer
from tests.patient_emulator import WAIT

SEOUL_URL = "https://news.example/seoul"
SOURCES = [
    ("Protests in Seoul", SEOUL_URL, "Wikinews", datetime(2024, 3, 1, tzinfo=UTC)),
    ("Police statement", "https://news.example/police", "CNN", None),
]
GROUP = -100_500


async def _settle(emulator: TelegramEmulator, application: Application, update: dict) -> None:  # type: ignore[type-arg]
    """Wait until the bot fetched `update` and finished handling everything it fetched."""
    await emulator.wait_acknowledged(update["update_id"])
    await application.update_queue.join()


async def test_start_shows_examples_and_commands_are_published(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "/start", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    assert "What happened in Seoul?" in reply.text
    assert "Any news on <AI> & chips?" in reply.text
    assert [c["command"] for c in emulator.state.commands] == [c for c, _ in messages.COMMANDS]


async def test_question_is_answered_with_linked_sources(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    answer = make_answer("Thousands marched [1]; police stayed calm [2].", SOURCES)
    news.answers["What happened in Seoul?"] = answer
    alice = emulator.create_user("Alice")
    update = emulator.send_text(alice["id"], "What happened in Seoul?", user=alice)
    await _settle(emulator, bot, update)
    [reply] = emulator.bot_messages(alice["id"])
    assert reply.text.endswith(
        "Sources\n1. Protests in Seoul — Wikinews, 1 Mar 2024\n2. Police statement — CNN"
    )
    assert reply.links[0] == ("[1]", SEOUL_URL)
    assert ("Protests in Seoul", SEOUL_URL) in reply.links
    assert "typing" in emulator.chat_actions(alice["id"])
    assert news.recorded == [(alice["id"], reply.message_id, answer)]
    assert news.calls[0].user_id == alice["id"]


async def test_group_needs_a_mention_or_a_reply(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    emulator.send_text(GROUP, "just chatting", user=alice, chat_type="supergroup")
    mention = emulator.send_text(
        GROUP, "@NewsBot_bot what happened in Seoul?", user=alice, chat_type="supergroup"
    )
    [answer] = await emulator.wait_for_messages(GROUP, 1)
    assert [c.question for c in news.calls] == ["what happened in Seoul?"]
    assert answer.reply_to_message_id == mention["message"]["message_id"]

    emulator.send_text(
        GROUP,
        "and the police?",
        user=alice,
        chat_type="supergroup",
        reply_to_message_id=answer.message_id,
    )
    await emulator.wait_for_messages(GROUP, 2)
    assert news.calls[-1].question == "and the police?"
    assert news.calls[-1].reply_to_message_id == answer.message_id

    ignored = emulator.send_text(
        GROUP, "thanks all @someone_else", user=alice, chat_type="supergroup"
    )
    await _settle(emulator, bot, ignored)
    assert len(news.calls) == 2
    assert len(emulator.bot_messages(GROUP)) == 2


async def test_ask_without_question_shows_usage(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "/ask", user=alice)
    emulator.send_text(GROUP, "/ask@newsbot_bot   ", user=alice, chat_type="group")
    [private] = await emulator.wait_for_messages(alice["id"], 1)
    [group] = await emulator.wait_for_messages(GROUP, 1)
    assert (
        private.text
        == group.text
        == "Usage: /ask QUESTION, for example /ask What happened this week?"
    )
    assert news.calls == []


async def test_ask_command_in_a_group(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    emulator.send_text(GROUP, "/ask what\nhappened?", user=alice, chat_type="group")
    await emulator.wait_for_messages(GROUP, 1)
    assert news.calls[0].question == "what\nhappened?"


async def test_long_answer_is_split_under_the_limit(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    answer = make_answer("The council debated the budget late into the night [1]. " * 200, SOURCES)
    news.answers["budget?"] = answer
    alice = emulator.create_user("Alice")
    update = emulator.send_text(alice["id"], "budget?", user=alice)
    await _settle(emulator, bot, update)
    replies = emulator.bot_messages(alice["id"])
    expected = len(render_answer(answer))
    assert len(replies) == expected
    assert expected >= 3
    assert all(visible_length(m.text) <= 4096 for m in replies)
    assert replies[-1].text.endswith("2. Police statement — CNN")
    assert [message_id for _, message_id, _ in news.recorded] == [m.message_id for m in replies]


async def test_hostile_html_is_escaped_and_accepted(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    title = '<script>alert("x")</script> & <b>unclosed'
    news.default = make_answer("if a < b && c > d </i> then [1]", [(title, SEOUL_URL, "A&B", None)])
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "anything", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    assert "if a < b && c > d </i> then [1]" in reply.text
    assert f"1. {title} — A&B" in reply.text


async def test_two_chats_are_answered_concurrently(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    both_asked = asyncio.Barrier(2)

    async def meet() -> None:  # answered one after the other, the first would wait in vain
        async with asyncio.timeout(WAIT):
            await both_asked.wait()

    news.waits = {"slow one": meet, "slow two": meet}
    alice, bob = emulator.create_user("Alice"), emulator.create_user("Bob")
    emulator.send_text(alice["id"], "slow one", user=alice)
    emulator.send_text(bob["id"], "slow two", user=bob)
    [first] = await emulator.wait_for_messages(alice["id"], 1)
    [second] = await emulator.wait_for_messages(bob["id"], 1)
    assert first.text == second.text == "No idea."
    # Both questions were being worked on before either finished.
    assert [kind for kind, _ in news.events] == ["start", "start", "end", "end"]


async def test_one_chat_is_answered_in_order(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    news.delays = {"first": 0.3}
    news.answers = {"first": make_answer("one"), "second": make_answer("two")}
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "first", user=alice)
    emulator.send_text(alice["id"], "second", user=alice)
    replies = await emulator.wait_for_messages(alice["id"], 2)
    assert [m.text for m in replies] == ["one", "two"]
    assert news.events == [
        ("start", "first"),
        ("end", "first"),
        ("start", "second"),
        ("end", "second"),
    ]


async def test_question_limit_per_user(
    emulator: TelegramEmulator, start_bot: StartBot, news: FakeNewsService
) -> None:
    alice, admin = emulator.create_user("Alice"), emulator.create_user("Admin")
    await start_bot(questions_per_user_per_hour=2, admin_user_ids=frozenset({admin["id"]}))
    for number in range(3):
        emulator.send_text(alice["id"], f"question {number}", user=alice)
        emulator.send_text(admin["id"], f"question {number}", user=admin)
    replies = await emulator.wait_for_messages(alice["id"], 3)
    assert replies[2].text.startswith("You have asked 2 questions in the last hour")
    await emulator.wait_for_messages(admin["id"], 3)
    assert sum(call.user_id == alice["id"] for call in news.calls) == 2
    assert sum(call.user_id == admin["id"] for call in news.calls) == 3


async def test_unexpected_error_apologises_and_the_bot_keeps_going(
    emulator: TelegramEmulator,
    start_bot: StartBot,
    news: FakeNewsService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    admin = emulator.create_user("Admin")
    await start_bot(admin_chat_id=admin["id"])
    news.errors = {"boom": RuntimeError("kaboom"), "llm down": LLMError()}
    alice = emulator.create_user("Alice")
    with caplog.at_level(logging.ERROR):
        emulator.send_text(alice["id"], "boom", user=alice)
        emulator.send_text(alice["id"], "llm down", user=alice)
        emulator.send_text(alice["id"], "still there?", user=alice)
        replies = await emulator.wait_for_messages(alice["id"], 3)
    assert [m.text for m in replies] == [messages.APOLOGY, LLMError.default_message, "No idea."]
    [summary] = await emulator.wait_for_messages(admin["id"], 1)
    assert "RuntimeError: kaboom" in summary.text
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert TOKEN not in caplog.text


async def test_blocked_user_does_not_stop_the_bot(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice, bob = emulator.create_user("Alice"), emulator.create_user("Bob")
    emulator.block_bot(alice["id"])
    blocked = emulator.send_text(alice["id"], "hello?", user=alice)
    await _settle(emulator, bot, blocked)
    emulator.send_text(bob["id"], "hello?", user=bob)
    await emulator.wait_for_messages(bob["id"], 1)
    assert emulator.bot_messages(alice["id"]) == []


async def test_rate_limited_by_telegram_is_retried(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    emulator.fail_next("sendMessage", 429, retry_after=1)
    emulator.send_text(alice["id"], "Who won?", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    assert reply.text == "No idea."
    assert len(emulator.calls("sendMessage")) == 2


async def test_bad_gateway_is_retried(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")
    emulator.fail_next("sendMessage", 502, count=2)
    emulator.send_text(alice["id"], "Who won?", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    assert reply.text == "No idea."
    assert len(emulator.calls("sendMessage")) == 3


async def test_streaming_edits_end_with_the_full_answer(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")

    async def shown(index: int) -> None:  # let each partial reach the chat before the next
        await emulator.wait_until(
            lambda: any(len(m.versions) > index for m in emulator.bot_messages(alice["id"]))
        )

    news.after_partial = shown
    news.partials["stream"] = ["Thousands", "Thousands marched", "Thousands marched [1]"]
    news.answers["stream"] = make_answer("Thousands marched [1].", SOURCES[:1])
    update = emulator.send_text(alice["id"], "stream", user=alice)
    await _settle(emulator, bot, update)
    [reply] = emulator.bot_messages(alice["id"])
    assert reply.history[:3] == ["Thousands …", "Thousands marched …", "Thousands marched [1] …"]
    assert reply.text == (
        "Thousands marched [1].\n\nSources\n1. Protests in Seoul — Wikinews, 1 Mar 2024"
    )
    assert reply.links[0] == ("[1]", SEOUL_URL)


async def test_streaming_edits_are_throttled(
    emulator: TelegramEmulator, start_bot: StartBot, news: FakeNewsService
) -> None:
    await start_bot(stream_edit_interval=60.0)
    news.partials["stream"] = ["one", "one two", "one two three"]
    long_answer = make_answer("Long sentence about the budget [1]. " * 250, SOURCES[:1])
    news.answers["stream"] = long_answer
    alice = emulator.create_user("Alice")
    emulator.send_text(alice["id"], "stream", user=alice)
    pieces = render_answer(long_answer)
    replies = await emulator.wait_for_messages(alice["id"], len(pieces))
    assert replies[0].history[0] == "one …"
    assert len(replies[0].history) == 2  # the first partial, then the final text
    assert replies[-1].text.endswith("Wikinews, 1 Mar 2024")


async def test_latest_sources_help_and_unknown_commands(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    news.headlines = [
        Headline("Chips & <AI>", source="CNN", published_at=None, url="https://e.com/1")
    ]
    alice = emulator.create_user("Alice")
    for text in ("/latest ai chips", "/latest", "/sources", "/help", "/frobnicate"):
        emulator.send_text(alice["id"], text, user=alice)
    latest, latest_all, overview, help_text, unknown = await emulator.wait_for_messages(
        alice["id"], 5
    )
    assert latest.text == "Latest on ai chips\n• Chips & <AI> — CNN"
    assert latest.links == [("Chips & <AI>", "https://e.com/1")]
    assert news.latest_calls == [("ai chips", 8), (None, 8)]
    assert latest_all.text.startswith("Latest headlines")
    assert overview.text.startswith("Indexed news\n4 articles from 2 outlets")
    assert help_text.text.startswith("How to use me")
    assert unknown.text == messages.UNKNOWN_COMMAND


async def test_typing_is_refreshed_while_working(
    emulator: TelegramEmulator, bot: Application, news: FakeNewsService
) -> None:
    alice = emulator.create_user("Alice")

    async def typed_three_times() -> None:  # typing_interval is 0.2 s in these tests
        await emulator.wait_until(lambda: emulator.chat_actions(alice["id"]).count("typing") >= 3)

    news.waits = {"slow": typed_three_times}  # the answer is held until then
    emulator.send_text(alice["id"], "slow", user=alice)
    [reply] = await emulator.wait_for_messages(alice["id"], 1)
    assert reply.text == "No idea."  # not the apology for a wait that timed out
    assert emulator.chat_actions(alice["id"]).count("typing") >= 3
