"""Ctrl-C in the offline chat: one short line, then the chat ends at once, also while the
bot is still working on an answer; a second Ctrl-C quits even if the way out is stuck."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

LEAVING = "Interrupted: leaving the chat (Ctrl-C again quits at once)."
INTERRUPTED_EXIT = 130  # the shell's code for a program ended by SIGINT
# python-telegram-bot names the task handling each update so; Application.stop() waits for
# them, which made an answer in the works (a slow LLM) hold Ctrl-C until it was done.
_UPDATE_TASK_SUFFIX = ":process_concurrent_update"


class Interrupt:
    """Whether Ctrl-C was pressed; installed on the running loop by `ctrl_c_ends_chat`."""

    def __init__(self, show: Callable[[str], None], main: asyncio.Task[object] | None) -> None:
        self._show = show
        self._main = main
        self.happened = False

    def pressed(self) -> None:
        if self.happened:  # work on a thread that cannot be cancelled holds the exit
            sys.stdout.flush()
            os._exit(INTERRUPTED_EXIT)
        self.happened = True
        self._show(LEAVING)
        for task in update_tasks():
            task.cancel()
        if self._main is not None:
            self._main.cancel()


def update_tasks() -> list[asyncio.Task[object]]:
    """The tasks in which python-telegram-bot is handling updates right now."""
    return [t for t in asyncio.all_tasks() if t.get_name().endswith(_UPDATE_TASK_SUFFIX)]


@contextlib.contextmanager
def ctrl_c_ends_chat(show: Callable[[str], None], *, enabled: bool) -> Iterator[Interrupt]:
    """While inside, Ctrl-C (SIGINT) cancels the current task and the updates in progress.

    The loop's own signal handling wakes it whichever thread the signal lands on (the stdin
    reader's, a worker's), where a plain Python handler waits until the main thread wakes.
    Not installed when `enabled` is false (lines that do not come from a terminal user),
    off the main thread, or when SIGINT is ignored (a job started in the background by a
    script: Ctrl-C at that terminal is not meant for it)."""
    loop = asyncio.get_running_loop()
    interrupt = Interrupt(show, asyncio.current_task())
    install = (
        enabled
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
    )
    if install:
        loop.add_signal_handler(signal.SIGINT, interrupt.pressed)
    try:
        yield interrupt
    finally:
        if install:
            loop.remove_signal_handler(signal.SIGINT)


async def stop_task(task: asyncio.Task[object]) -> None:
    """Cancel `task` and wait for it to end, without swallowing a cancellation of the task
    that waits (a plain `suppress(CancelledError)` would, when Ctrl-C comes meanwhile)."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    current = asyncio.current_task()
    if current is not None and current.cancelling():
        raise asyncio.CancelledError
