"""The offline terminal chat: the same Application, driven by lines of text."""

from __future__ import annotations

import io
import sys
from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application

from bot.app import BotConfig, build_application
from bot.terminal import OFFLINE_TOKEN, run_offline, stdin_lines
from tests.bot.fakes import FakeNewsService, make_answer


async def _lines(*items: str) -> AsyncIterator[str]:
    for item in items:
        yield item


def _builder(news: FakeNewsService):  # type: ignore[no-untyped-def]
    def build(base_url: str) -> Application:  # type: ignore[type-arg]
        config = BotConfig(token=OFFLINE_TOKEN, api_base_url=base_url, stream_edit_interval=0.0)
        return build_application(config, news)

    return build


async def test_offline_chat_prints_replies_with_links() -> None:
    news = FakeNewsService()
    news.partials["Seoul?"] = ["Thousands", "Thousands marched"]
    news.answers["Seoul?"] = make_answer(
        "Thousands marched [1].", [("Protests", "https://news.example/seoul", "Wikinews", None)]
    )
    output: list[str] = []
    await run_offline(
        _builder(news),
        lines=_lines("/start\n", "   \n", "Seoul?\n", "/quit\n", "never read\n"),
        write=output.append,
        poll_timeout=1.0,
    )
    printed = "\n".join(output)
    assert "What happened in Seoul?" in printed  # the /start examples
    assert (
        "bot> Thousands marched [1].\n\n"  # the URL once, in the Sources list
        "Sources\n1. Protests (https://news.example/seoul) — Wikinews\n"
    ) in output
    assert "…" in output  # shown while the bot was typing
    assert "Thousands marched …" not in printed  # only the final version of a streamed reply
    assert "(edited)" not in printed
    assert [call.question for call in news.calls] == ["Seoul?"]


async def test_offline_chat_ends_at_end_of_input() -> None:
    output: list[str] = []
    await run_offline(_builder(FakeNewsService()), lines=_lines("Who won?"), write=output.append)
    assert "bot> No idea.\n" in output


async def test_stdin_lines_reads_until_eof(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("one\ntwo\n"))
    assert [line async for line in stdin_lines()] == ["one\n", "two\n"]
