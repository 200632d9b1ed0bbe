"""The offline chat's input side: the prompt on the terminal, and the lines typed at it."""

from __future__ import annotations

import asyncio
import collections
import sys
import threading
from collections.abc import AsyncIterator, Callable

PROMPT = "you> "


class Screen:
    """The terminal's output: blocks of text (`write`, print-like) and the prompt (`raw`,
    no newline). Output that arrives while the prompt waits for input (an alert, a notice)
    goes on the lines below it, and the prompt is shown again: never in the middle of it."""

    def __init__(
        self, write: Callable[[str], None] = print, raw: Callable[[str], None] | None = None
    ) -> None:
        self._write = write
        self._raw = raw or _stdout_raw
        self._at_prompt = False

    def show(self, text: str) -> None:
        if self._at_prompt:
            self._raw("\n")
        self._write(text)
        if self._at_prompt:
            self._raw(PROMPT)

    def last(self, text: str, *, after_echo: bool = False) -> None:
        """The chat's last line (it is being left): below a waiting prompt, none after it.
        `after_echo`: the terminal echoed a key (Ctrl-C as "^C") where the cursor was."""
        if self._at_prompt or after_echo:
            self._raw("\n")
        self._at_prompt = False
        self._write(text)

    @property
    def at_prompt(self) -> bool:
        return self._at_prompt

    def prompt(self) -> None:
        self._raw(PROMPT)
        self._at_prompt = True

    def read(self, line: str, *, echo: bool) -> None:
        """The user ended the prompt with `line` ("" at end of input). `echo` writes the line
        after the prompt, for input that the terminal did not echo (a pipe)."""
        self._at_prompt = False
        if not line:  # Ctrl-D: the shell's prompt goes on a line of its own
            self._raw("\n")
        elif echo:
            self._raw(line if line.endswith("\n") else line + "\n")

    def typed_ahead(self, line: str) -> None:
        """A line typed while the bot was working (the terminal echoed it amid the output),
        shown as a turn of its own when its turn comes."""
        self._raw(PROMPT + (line if line.endswith("\n") else line + "\n"))


def _stdout_raw(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


class TypedLines:
    """The lines the user typed, in order, as the chat's turns. A line typed at the prompt is
    read there; one typed while the bot was still working waits for its turn, then is shown
    as `you> line` (its reply under it, not under the next prompt). `typed` is called on
    the event loop; `echo` writes read lines after the prompt (input the terminal did not
    echo: a pipe)."""

    def __init__(self, screen: Screen, *, echo: bool) -> None:
        self._screen = screen
        self._echo = echo
        self._lines: collections.deque[tuple[str, bool]] = collections.deque()
        self._arrived = asyncio.Event()

    def typed(self, line: str) -> None:
        """A line ended with Enter ("" at end of input)."""
        self._lines.append((line, bool(line) and not self._screen.at_prompt))
        self._arrived.set()

    async def lines(self) -> AsyncIterator[str]:
        while True:
            if not self._lines or not self._lines[0][1]:  # nothing typed ahead: ask
                self._screen.prompt()
            while not self._lines:
                self._arrived.clear()
                await self._arrived.wait()
            line, ahead = self._lines.popleft()
            if ahead:
                self._screen.typed_ahead(line)
            else:
                self._screen.read(line, echo=self._echo)
            if not line:  # EOF
                return
            yield line


async def stdin_lines(screen: Screen | None = None) -> AsyncIterator[str]:
    """Lines typed on stdin, read on one daemon thread (Ctrl-C never hangs on it) that
    keeps reading while the bot works, so that a line typed meanwhile waits its turn."""
    screen = screen or Screen()
    loop = asyncio.get_running_loop()
    stdin = sys.stdin
    typed = TypedLines(screen, echo=not stdin.isatty())

    def read() -> None:
        line = None
        while line != "":
            try:
                line = stdin.readline()
            except (OSError, ValueError):
                line = ""
            try:
                loop.call_soon_threadsafe(typed.typed, line)
            except RuntimeError:  # the chat is over and its loop closed
                return

    threading.Thread(target=read, name="stdin-reader", daemon=True).start()
    async for line in typed.lines():
        yield line
