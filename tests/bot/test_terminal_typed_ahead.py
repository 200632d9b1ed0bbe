"""A line typed while the bot is still working waits for its turn in the terminal chat:
it is shown as `you> ...` when its turn comes, with its reply under it, and the next
prompt stays empty until the user types again."""

from __future__ import annotations

import asyncio

from telegram.ext import Application

from bot import messages
from bot.app import BotConfig, build_application
from bot.emulator import html_to_plain
from bot.terminal import OFFLINE_TOKEN, PROMPT, Screen, run_offline
from bot.terminal_input import TypedLines
from tests.bot.fakes import FakeNewsService


def _builder(news: FakeNewsService):  # type: ignore[no-untyped-def]
    def build(base_url: str) -> Application:  # type: ignore[type-arg]
        config = BotConfig(token=OFFLINE_TOKEN, api_base_url=base_url, stream_edit_interval=0.0)
        return build_application(config, news)

    return build


def _screen(out: list[str]) -> Screen:
    return Screen(write=lambda text: out.append(text + "\n"), raw=out.append)


async def test_lines_typed_during_a_turn_are_each_shown_as_a_turn() -> None:
    out: list[str] = []
    screen = _screen(out)
    typed = TypedLines(screen, echo=False)  # a terminal: it echoes what is typed itself

    async def type_while_working() -> None:
        assert not screen.at_prompt
        typed.typed("hello\n")
        typed.typed("/quit\n")

    news = FakeNewsService(waits={"What happened in Cairo?": type_while_working})
    typed.typed("What happened in Cairo?\n")
    await run_offline(_builder(news), lines=typed.lines(), screen=screen, poll_timeout=1.0)
    text = "".join(out)
    greeting = "bot> " + html_to_plain(messages.GREETING_REPLY)
    hello, quit_ = text.index(f"{PROMPT}hello\n"), text.index(f"{PROMPT}/quit\n")
    assert text.index("bot> No idea.") < hello < text.index(greeting) < quit_
    assert f"{PROMPT}{greeting}" not in text  # no reply after an empty prompt
    assert [call.question for call in news.calls] == ["What happened in Cairo?"]


async def test_a_line_typed_at_the_prompt_is_read_there() -> None:
    out: list[str] = []
    screen = _screen(out)
    typed = TypedLines(screen, echo=False)
    lines = typed.lines()
    first = asyncio.ensure_future(anext(lines))
    await asyncio.sleep(0)  # the iterator shows the prompt, then waits
    assert screen.at_prompt
    typed.typed("Who won?\n")
    assert await first == "Who won?\n"
    assert out == [PROMPT]  # the terminal echoed it after the prompt: not shown twice
    typed.typed("")  # Ctrl-D
    assert [line async for line in lines] == []
    assert out == [PROMPT, PROMPT, "\n"]
