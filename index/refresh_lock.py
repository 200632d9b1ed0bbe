"""The index's writer lock: one ingest or re-index at a time, across threads and processes.

`refresh_lock` is an flock on a file in the index folder; who is refused gets
RefreshBusyError, naming the holder's pid when it could be read. A folder where the lock
file cannot be made (read-only, not permitted, a file in its place) is IndexFolderError.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from index.errors import IndexFolderError, NewsbotError

log = logging.getLogger(__name__)

LOCK_NAME = ".refresh.lock"


class RefreshBusyError(NewsbotError):
    """Another writer (an ingest or a re-index, in this process or another) holds the
    index; `holder` is its process id when known."""

    default_message = "An ingest or re-index is already running. Try again when it has finished."

    def __init__(self, holder: int | None = None, *, advice: str | None = None) -> None:
        running = "An ingest or re-index is already running"
        if holder is not None:
            running += f" (pid {holder})"
        super().__init__(f"{running}. {advice or 'Try again when it has finished.'}")
        self.holder = holder


@contextlib.contextmanager
def refresh_lock(
    index_dir: Path, *, waiting: Callable[[int | None], None] | None = None
) -> Iterator[None]:
    """Hold the index for writing. When someone else holds it: RefreshBusyError at once,
    or, given `waiting`, call it once with the holder's pid and wait for the lock.

    The holder writes its pid into the lock file, so that the one refused can say who
    holds it (the kernel drops the lock, not the pid, of a killed holder: the pid is only
    read while the lock is held, and each holder writes its own).
    """
    with _lock_file(index_dir) as handle:
        fd = handle.fileno()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            if waiting is None:
                raise RefreshBusyError(_holder(fd)) from exc
            waiting(_holder(fd))
            fcntl.flock(fd, fcntl.LOCK_EX)  # Ctrl-C still interrupts it
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError:  # only the busy message loses the pid
            log.debug("could not write the pid into the index lock file", exc_info=True)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)


def _lock_file(index_dir: Path) -> BinaryIO:
    """The lock file, opened for writing (made with its folder when missing)."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        return open(index_dir / LOCK_NAME, "a+b")  # the caller closes it
    except OSError as exc:
        raise IndexFolderError(index_dir, exc) from exc


def _holder(fd: int) -> int | None:
    """The pid the lock's holder wrote (None when not written yet or unreadable)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
