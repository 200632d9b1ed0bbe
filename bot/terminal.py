"""Offline mode: chat with the real Application from a terminal, through the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import AsyncIterator, Callable

from telegram.ext import Application

from bot.app import polling
from bot.emulator import TelegramEmulator
from bot.emulator_messages import StoredMessage

OFFLINE_TOKEN = "100000:offline-token"  # the emulator accepts any token; this one is a dummy
QUIT = frozenset({"/quit", "/exit"})
INTRO = (
    "newsbot offline chat: the bot runs against a local Telegram emulator.\n"
    "Type a question, or a command such as /start, /help, /latest. /quit or Ctrl-D leaves."
)


async def run_offline(
    build: Callable[[str], Application],  # type: ignore[type-arg]
    *,
    lines: AsyncIterator[str] | None = None,
    write: Callable[[str], None] = print,
    user_name: str = "You",
    poll_timeout: float = 10.0,
    reply_timeout: float = 600.0,
) -> None:
    """Start the emulator, build the bot against it (`build(base_url)`), chat until /quit.

    `lines` defaults to stdin (read on a daemon thread so the event loop never blocks).
    """
    async with TelegramEmulator() as emulator:
        application = build(emulator.base_url)
        async with polling(application, poll_timeout=poll_timeout):
            chat = TerminalChat(emulator, application, write, user_name, reply_timeout)
            write(INTRO)
            async with chat.watching():
                async for line in lines if lines is not None else stdin_lines():
                    text = line.strip()
                    if text in QUIT:
                        break
                    if text:
                        await chat.say(text)


class TerminalChat:
    """One private chat between a terminal user and the bot, printed as plain text."""

    def __init__(
        self,
        emulator: TelegramEmulator,
        application: Application,  # type: ignore[type-arg]
        write: Callable[[str], None],
        user_name: str,
        reply_timeout: float,
    ) -> None:
        self._emulator = emulator
        self._application = application
        self._write = write
        self._reply_timeout = reply_timeout
        self._user = emulator.create_user(user_name)
        self._printed: dict[int, int] = {}  # message id -> versions already printed
        self._in_turn = False
        self._changed = asyncio.Event()

    @property
    def chat_id(self) -> int:
        return int(self._user["id"])

    async def say(self, text: str) -> None:
        """Send one line as the user; print the bot's replies once it has handled it."""
        self._in_turn = True
        try:
            update = self._emulator.send_text(self.chat_id, text, user=self._user)
            indicator = asyncio.create_task(self._show_working())
            try:
                await self._emulator.wait_acknowledged(update["update_id"], self._reply_timeout)
                async with asyncio.timeout(self._reply_timeout):
                    await self._application.update_queue.join()
            except TimeoutError:
                self._write("(no reply yet: the bot is still working)")
            finally:
                indicator.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await indicator
            self._flush(mark_edits=False)
        finally:
            self._in_turn = False

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """Print messages the bot sends on its own (alerts) between turns."""
        unsubscribe = self._emulator.subscribe(self._changed.set)
        task = asyncio.create_task(self._watch())
        try:
            yield
        finally:
            unsubscribe()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            if not self._in_turn:
                self._flush(mark_edits=True)

    async def _show_working(self) -> None:
        """Print one '…' when the bot starts typing (it is working on an answer)."""
        actions = len(self._emulator.chat_actions(self.chat_id))
        await self._emulator.wait_until(
            lambda: len(self._emulator.chat_actions(self.chat_id)) > actions,
            self._reply_timeout,
        )
        self._write("…")

    def _unprinted(self) -> list[StoredMessage]:
        return [
            m
            for m in self._emulator.bot_messages(self.chat_id)
            if self._printed.get(m.message_id) != len(m.versions)
        ]

    def _flush(self, *, mark_edits: bool) -> None:
        for message in self._unprinted():
            edited = message.message_id in self._printed
            self._printed[message.message_id] = len(message.versions)
            prefix = "(edited) " if edited and mark_edits else ""
            self._write(format_message(message, prefix))


def format_message(message: StoredMessage, prefix: str = "") -> str:
    """A bot message for the terminal: plain text, links as `text (url)`."""
    return f"bot> {prefix}{message.plain}\n"


async def stdin_lines() -> AsyncIterator[str]:
    """Lines typed on stdin, each read on a daemon thread (Ctrl-C never hangs on it)."""
    loop = asyncio.get_running_loop()
    while True:
        future: asyncio.Future[str] = loop.create_future()

        def read(target: asyncio.Future[str] = future) -> None:
            try:
                line = sys.stdin.readline()
            except (OSError, ValueError):
                line = ""
            loop.call_soon_threadsafe(_resolve, target, line)

        sys.stdout.write("you> ")
        sys.stdout.flush()
        threading.Thread(target=read, name="stdin-reader", daemon=True).start()
        line = await future
        if not line:  # EOF
            return
        yield line


def _resolve(future: asyncio.Future[str], value: str) -> None:
    if not future.done():
        future.set_result(value)
