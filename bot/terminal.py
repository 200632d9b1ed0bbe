"""Offline mode: chat with the real Application from a terminal, through the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import threading
from collections.abc import AsyncIterator, Callable

from telegram.ext import Application

from bot.app import polling
from bot.emulator import TelegramEmulator
from bot.emulator_messages import StoredMessage
from bot.terminal_input import PROMPT as PROMPT  # re-exported: the chat's prompt
from bot.terminal_input import Screen, stdin_lines
from bot.terminal_interrupt import ctrl_c_ends_chat, stop_task
from bot.terminal_view import format_message, keyboard, pressable

OFFLINE_TOKEN = "100000:offline-token"  # the emulator accepts any token; this one is a dummy
QUIT = frozenset({"/quit", "/exit"})
INTRO = (
    "newsbot offline chat: the bot runs against a local Telegram emulator.\n"
    "Type a question, or a command such as /start, /help, /latest. /quit or Ctrl-D leaves.\n"
    "Follow-ups: just ask (the chat keeps the conversation; there is no reply-to here)."
)


class Notices:
    """Short plain lines for the user (an LLM that does not answer, an error in the log),
    added from any thread; each key is shown once per run, between chat turns."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._seen: set[str] = set()
        self._listeners: list[Callable[[], None]] = []

    def add(self, key: str, line: str) -> None:
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            self._pending.append(line)
            listeners = self._listeners[:]
        for listener in listeners:
            listener()

    def take(self) -> list[str]:
        with self._lock:
            taken, self._pending = self._pending, []
        return taken

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` (from the adding thread) after each new line; returns the undo."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)


async def run_offline(
    build: Callable[[str], Application],  # type: ignore[type-arg]
    *,
    lines: AsyncIterator[str] | None = None,
    write: Callable[[str], None] = print,
    screen: Screen | None = None,
    notices: Notices | None = None,
    intro: str = INTRO,
    user_name: str = "You",
    poll_timeout: float = 10.0,
    reply_timeout: float = 600.0,
) -> None:
    """Start the emulator, build the bot against it (`build(base_url)`), chat until /quit.

    `lines` defaults to stdin (read on a daemon thread so the event loop never blocks);
    `screen` to one writing blocks with `write`. A button is pressed by typing its text.
    """
    screen = screen or Screen(write)
    # Ctrl-C belongs to the terminal user: lines given by the caller (tests) do without.
    terminal = lines is None and sys.stdin.isatty()  # which echoes Ctrl-C as "^C"
    leave = functools.partial(screen.last, after_echo=terminal)
    with ctrl_c_ends_chat(leave, enabled=lines is None) as interrupt:
        try:
            async with TelegramEmulator() as emulator:
                application = build(emulator.base_url)
                async with polling(application, poll_timeout=poll_timeout):
                    chat = TerminalChat(emulator, application, screen, user_name, reply_timeout)
                    screen.show(intro)
                    async with chat.watching(notices or Notices()):
                        async for line in lines if lines is not None else stdin_lines(screen):
                            text = line.strip()
                            if text in QUIT or interrupt.happened:
                                break
                            if text:
                                await chat.say(text)
        except asyncio.CancelledError:
            if not interrupt.happened:
                raise
        if interrupt.happened:  # everything is closed: end as a program stopped by Ctrl-C
            raise KeyboardInterrupt


class TerminalChat:
    """One private chat between a terminal user and the bot, printed as plain text."""

    def __init__(
        self,
        emulator: TelegramEmulator,
        application: Application,  # type: ignore[type-arg]
        screen: Screen,
        user_name: str,
        reply_timeout: float,
    ) -> None:
        self._emulator = emulator
        self._application = application
        self._screen = screen
        self._reply_timeout = reply_timeout
        self._user = emulator.create_user(user_name)
        self._printed: dict[int, int] = {}  # message id -> versions already printed
        self._buttons: dict[int, dict[str, str]] = {}  # message id -> typed label -> data
        self._shown_labels: set[str] = set()  # every button label shown (casefolded)
        self._in_turn = False
        self._changed = asyncio.Event()
        self._notices = Notices()

    @property
    def chat_id(self) -> int:
        return int(self._user["id"])

    async def say(self, text: str) -> None:
        """Send one line as the user (or press the button it names); print the bot's
        replies once it has handled it."""
        pressed = self._button(text)
        if pressed is None and text.strip().casefold() in self._shown_labels:
            # Its button was edited away (pressed already: "Pause 1" is now "Resume 1"):
            # sent as a question, the label got a news search.
            self._screen.show(f"(The [{text.strip()}] button is no longer there: nothing sent.)")
            return
        self._in_turn = True
        try:
            if pressed is None:
                update = self._emulator.send_text(self.chat_id, text, user=self._user)
            else:
                update = self._emulator.press_button(self.chat_id, *pressed, user=self._user)
            answered = len(self._emulator.calls("answerCallbackQuery"))
            await self._handled(update["update_id"])
            if pressed is not None:  # the button's toast, as Telegram shows it briefly
                for call in self._emulator.calls("answerCallbackQuery")[answered:]:
                    if call.get("text"):
                        self._screen.show(f"({call['text']})")
            self._flush(mark_edits=pressed is not None)
        finally:
            self._in_turn = False

    def _button(self, text: str) -> tuple[int, str] | None:
        """(message id, data) of the newest button labelled `text`, if any."""
        label = text.strip().casefold()
        for message_id in sorted(self._buttons, reverse=True):
            data = self._buttons[message_id].get(label)
            if data is not None:
                return message_id, data
        return None

    async def _handled(self, update_id: int) -> None:
        """Wait until the bot has handled the update, showing '…' while it types."""
        indicator = asyncio.create_task(self._show_working())
        try:
            await self._emulator.wait_acknowledged(update_id, self._reply_timeout)
            async with asyncio.timeout(self._reply_timeout):
                await self._application.update_queue.join()
        except TimeoutError:
            self._screen.show("(no reply yet: the bot is still working)")
        finally:
            await stop_task(indicator)

    @contextlib.asynccontextmanager
    async def watching(self, notices: Notices) -> AsyncIterator[None]:
        """Print messages the bot sends on its own (alerts) and `notices` between turns."""
        self._notices = notices
        loop = asyncio.get_running_loop()

        def wake() -> None:  # notices come from any thread
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(self._changed.set)

        undo = (self._emulator.subscribe(self._changed.set), notices.subscribe(wake))
        task = asyncio.create_task(self._watch())
        self._flush(mark_edits=True)  # notices from start-up
        try:
            yield
        finally:
            for unsubscribe in undo:
                unsubscribe()
            await stop_task(task)

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
        self._screen.show("…")

    def _unprinted(self) -> list[StoredMessage]:
        return [
            m
            for m in self._emulator.bot_messages(self.chat_id)
            if self._printed.get(m.message_id) != len(m.versions)
        ]

    def _flush(self, *, mark_edits: bool) -> None:
        """Notices first (they explain the answer below them), then the bot's messages."""
        for line in self._notices.take():
            self._screen.show(line)
        for message in self._unprinted():
            edited = message.message_id in self._printed
            self._printed[message.message_id] = len(message.versions)
            buttons = pressable(keyboard(message.reply_markup))
            self._buttons[message.message_id] = buttons
            self._shown_labels.update(buttons)
            prefix = "(edited) " if edited and mark_edits else ""
            self._screen.show(format_message(message, prefix))
