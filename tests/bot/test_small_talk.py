"""A greeting or a thanks gets a short friendly line with a hint, not a news search."""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import Application

from bot import messages
from bot.emulator import TelegramEmulator, html_to_plain
from bot.handlers_ask import small_talk_reply
from tests.bot.fakes import FakeNewsService

GROUP = -100_777
MENTION = "@newsbot_bot"

Json = dict[str, Any]


@pytest.mark.parametrize(
    "text",
    ["hi", "Hello!", "hey there", "Good morning", "good evening, bot", "Hola", "bonjour",
     "Hallo 👋", "ciao", "Hi all"],
)  # fmt: skip
def test_greetings(text: str) -> None:
    assert small_talk_reply(text) == messages.GREETING_REPLY


@pytest.mark.parametrize(
    "text", ["thanks", "Thank you!", "thanks a lot", "ok thanks", "Merci", "hi, thanks"]
)
def test_thanks(text: str) -> None:
    assert small_talk_reply(text) == messages.THANKS_REPLY


@pytest.mark.parametrize(
    "text",
    [
        "Hello Kitty",
        "hi, what happened in Munich?",
        "good",
        "thank you for the answer about the strike in Munich",  # past the few words
        "Morning Star newspaper",
        "",
    ],
)
def test_questions_are_no_small_talk(text: str) -> None:
    assert small_talk_reply(text) is None


async def _send(
    emulator: TelegramEmulator,
    application: Application,  # type: ignore[type-arg]
    chat_id: int,
    text: str,
    user: Json,
    **kw: Any,
) -> None:
    update = emulator.send_text(chat_id, text, user=user, **kw)
    await emulator.wait_acknowledged(update["update_id"])
    await application.update_queue.join()


async def test_a_greeting_is_answered_without_a_search(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    news: FakeNewsService,
) -> None:
    alice = emulator.create_user("Alice")
    await _send(emulator, bot, alice["id"], "hi", alice)
    await _send(emulator, bot, alice["id"], "Thank you!", alice)
    await _send(emulator, bot, alice["id"], "/ask hello", alice)
    assert news.calls == []
    replies = [m.text for m in emulator.bot_messages(alice["id"])]
    greeting, thanks = html_to_plain(messages.GREETING_REPLY), html_to_plain(messages.THANKS_REPLY)
    assert replies == [greeting, thanks, greeting]
    assert "/help" in greeting


async def test_thanks_in_a_group_is_answered_only_when_the_bot_is_mentioned(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    news: FakeNewsService,
) -> None:
    alice = emulator.create_user("Alice")
    kw = {"chat_type": "supergroup", "chat_title": "Fans"}
    await _send(emulator, bot, GROUP, f"{MENTION} who won the vote?", alice, **kw)
    [answer] = emulator.bot_messages(GROUP)
    await _send(emulator, bot, GROUP, "thanks!", alice, reply_to_message_id=answer.message_id, **kw)
    assert len(emulator.bot_messages(GROUP)) == 1  # a reaction to the answer, like 👍
    await _send(emulator, bot, GROUP, f"{MENTION} thanks", alice, **kw)
    assert emulator.bot_messages(GROUP)[-1].text == html_to_plain(messages.THANKS_REPLY)
    assert len(news.calls) == 1


# ---- goodbyes, questions about the bot, acknowledgements (seventh QA pass) ----------------


@pytest.mark.parametrize(
    "text", ["bye", "ok bye", "goodbye!", "Good night", "Bye bye!", "thanks, bye", "see you later"]
)
def test_goodbyes(text: str) -> None:
    assert small_talk_reply(text) == messages.BYE_REPLY


@pytest.mark.parametrize(
    "text", ["who are you?", "What can you do?", "help", "Help!", "hi, who are you?"]
)
def test_questions_about_the_bot_get_what_it_does(text: str) -> None:
    assert small_talk_reply(text) == messages.ABOUT_REPLY
    assert "/help" in messages.ABOUT_REPLY


@pytest.mark.parametrize("text", ["ok", "cool", "lol", "Cool!!", "haha", "got it", "ok cool"])
def test_acknowledgements_get_a_one_line_nudge(text: str) -> None:
    assert small_talk_reply(text) == messages.ACK_REPLY


@pytest.mark.parametrize(
    "text",
    [
        "who are you voting for",
        "help for Ukraine",
        "What can you do about inflation?",
        "ok so what happened in Gaza?",
        "how does it work?",  # a follow-up about the last answer's subject
        "Goodbye Lenin",
        "later news on the strike",
    ],
)
def test_questions_that_start_like_small_talk_are_questions(text: str) -> None:
    assert small_talk_reply(text) is None


async def test_ok_bye_is_no_follow_up_question(
    emulator: TelegramEmulator,
    bot: Application,  # type: ignore[type-arg]
    news: FakeNewsService,
) -> None:
    alice = emulator.create_user("Alice")
    await _send(emulator, bot, alice["id"], "What happened in Cairo?", alice)
    for text in ("ok", "who are you?", "ok bye"):
        await _send(emulator, bot, alice["id"], text, alice)
    assert [call.question for call in news.calls] == ["What happened in Cairo?"]
    replies = [m.text for m in emulator.bot_messages(alice["id"])][1:]
    assert replies == [
        html_to_plain(messages.ACK_REPLY),
        html_to_plain(messages.ABOUT_REPLY),
        html_to_plain(messages.BYE_REPLY),
    ]
