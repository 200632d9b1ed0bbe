"""The offline chat on stdin, run as a program by tests/bot/test_terminal_interrupt_opsbot.py
(python -m tests.bot.offline_chat_child_opsbot MODE): the real terminal chat and bot, with a
fake news service whose answer to "Slow?" never comes. MODE "waits": it awaits forever (a
slow LLM); "thread": it waits on a worker thread that never ends (work that cannot be
cancelled). "answering" goes to stderr when the answer has started. Exits as `newsbot run`
does: 130 after Ctrl-C."""

from __future__ import annotations

import asyncio
import sys
import threading

from telegram.ext import Application

from bot.app import BotConfig, build_application
from bot.terminal import OFFLINE_TOKEN, run_offline
from tests.bot.fakes import FakeNewsService


def _news(mode: str) -> FakeNewsService:
    never = threading.Event()

    async def slow() -> None:
        print("answering", file=sys.stderr, flush=True)
        if mode == "thread":
            await asyncio.to_thread(never.wait)
        else:
            await asyncio.Event().wait()

    return FakeNewsService(waits={"Slow?": slow})


def main() -> int:
    news = _news(sys.argv[1])

    def build(base_url: str) -> Application:  # type: ignore[type-arg]
        config = BotConfig(token=OFFLINE_TOKEN, api_base_url=base_url, stream_edit_interval=0.0)
        return build_application(config, news)

    try:
        asyncio.run(run_offline(build, poll_timeout=1.0))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
