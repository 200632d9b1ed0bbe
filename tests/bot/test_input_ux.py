"""Questions with nothing to search, and over-long /latest topics, get a usage line."""

from __future__ import annotations

import pytest
from telegram.ext import Application

from bot import messages
from bot.cli import main
from bot.emulator import TelegramEmulator, html_to_plain
from bot.handlers_ask import MAX_QUESTION_CHARS, has_words
from tests.bot.fakes import FakeNewsService


async def _reply(emulator: TelegramEmulator, application: Application, text: str) -> str:  # type: ignore[type-arg]
    alice = emulator.create_user("Alice")
    update = emulator.send_text(alice["id"], text, user=alice)
    await emulator.wait_acknowledged(update["update_id"])
    await application.update_queue.join()
    [reply] = emulator.bot_messages(alice["id"])
    return reply.text


@pytest.mark.parametrize("text", ["/ask", "/ask \u200d", "/ask ?!"])
async def test_ask_without_words_gets_the_usage_line(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,
    text: str,  # type: ignore[type-arg]
) -> None:
    assert await _reply(emulator, bot, text) == html_to_plain(messages.ASK_USAGE)
    assert news.calls == []


async def test_long_latest_topic_is_called_a_topic(
    emulator: TelegramEmulator,
    bot: Application,
    news: FakeNewsService,  # type: ignore[type-arg]
) -> None:
    reply = await _reply(emulator, bot, "/latest " + "x" * (MAX_QUESTION_CHARS + 1))
    assert reply.startswith("That topic is too long")
    assert news.latest_calls == []


def test_has_words() -> None:
    assert has_words("Wer gewann? 2024")
    assert has_words("北京")
    assert not has_words("\u200d🚀 ?")


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["ask", ""], "the question is empty"),
        (["ask", "\u200d"], "the question is empty"),
        (["ask", "Apple", "-k", "-5"], "argument -k: must be 1 or more, got -5"),
        (["ask", "Apple", "-k", "0"], "argument -k: must be 1 or more, got 0"),
        (["ask", "Apple", "-k", "many"], "argument -k: expected a whole number"),
    ],
)
def test_cli_refuses_bad_questions_with_a_usage_error(
    argv: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    stderr = capsys.readouterr().err
    assert stderr.startswith("usage: newsbot ask")
    assert error in stderr
