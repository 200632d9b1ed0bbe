"""Crash-safe index directories: versioned snapshot folders behind a `CURRENT` pointer.

Layout of an index directory::

    directory/
        CURRENT              one line: the name of the live snapshot folder
        v-20250101T120000Z-3f2a.../   vectors.faiss, manifest.json, keyword.npz, ...
        v-.../               the previous snapshot, kept for readers still opening it

Writing a snapshot: the writer fills `.tmp-<random>/`, every file and the folder are
fsynced, the folder is renamed to `v-<time>-<random>` (still invisible: nothing points to
it), then `CURRENT` is replaced through a temporary file + fsync + `os.replace`, and only
then are older snapshots and leftovers removed. A crash at any step leaves `CURRENT` naming
either the old complete snapshot or the new complete one; leftovers are cleared by the
next write. Readers never modify the directory, so read-only replicas can poll
`current_version()` and reload when it changes.

Files are never modified once their snapshot is committed: writers may hard-link an
unchanged file from the live snapshot into the new one (the keyword and vector indexes
do, see `index/keyword_store.py` and `index/vector_files.py`), so removing an old
snapshot removes only its links.

One snapshot holds whatever its writer wrote: to keep the vector and keyword indexes
consistent, write both in one snapshot (`write_snapshot(dir, lambda p: (v.save_to(p, ...),
k.save_to(p)))`); two separate `save()` calls on one directory would each replace the other.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from index.errors import IndexMismatchError

logger = logging.getLogger(__name__)
T = TypeVar("T")

POINTER_NAME = "CURRENT"
_LOCK_NAME = ".lock"
_VERSION_PREFIX = "v-"
_TMP_PREFIX = ".tmp-"
_VERSION_RE = re.compile(r"^v-[0-9A-Za-z]+-[0-9a-f]+$")


def current_version(directory: Path) -> str | None:
    """The live snapshot's name, or None when nothing was ever committed here."""
    try:
        name = (directory / POINTER_NAME).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not _VERSION_RE.match(name):
        raise IndexMismatchError(
            "The saved index is damaged (bad CURRENT pointer). "
            "Run a full re-index (newsbot reindex --full)."
        )
    return name


def current_snapshot(directory: Path) -> Path | None:
    """The live snapshot folder, or None when the directory holds no committed snapshot."""
    name = current_version(directory)
    if name is None:
        return None
    folder = directory / name
    if not folder.is_dir():
        raise IndexMismatchError(
            "The saved index is damaged (its current snapshot is missing). "
            "Run a full re-index (newsbot reindex --full)."
        )
    return folder


def load_current(directory: Path, loader: Callable[[Path], T]) -> T | None:
    """`loader(live snapshot folder)`, or None when nothing was committed yet.

    A writer may delete the snapshot a reader just resolved (two commits in a row):
    when the folder vanished under the loader, resolve CURRENT again and retry.
    """
    for attempt in range(3):
        folder = current_snapshot(directory)
        if folder is None:
            return None
        try:
            return loader(folder)
        except (IndexMismatchError, OSError):
            if folder.is_dir() or attempt == 2:
                raise
            logger.info("index snapshot %s replaced while loading; retrying", folder.name)
    raise AssertionError("unreachable")


def link_unchanged(target: Path, sources: tuple[Path, ...], same: Callable[[Path], bool]) -> bool:
    """Hard-link `target.name` into the snapshot being written (`target`'s folder) from the
    first of `sources`, then the live snapshot, whose copy `same(folder)` accepts; False when
    none does. Committed files never change, so a link is as good as a copy."""
    live = current_snapshot_or_none(target.parent.parent)
    for folder in (*sources, *((live,) if live is not None else ())):
        try:
            if not same(folder):
                continue
            os.link(folder / target.name, target)
        except (OSError, ValueError, IndexMismatchError):
            continue
        return True
    return False


def current_snapshot_or_none(directory: Path) -> Path | None:
    """`current_snapshot`, with a damaged pointer read as no snapshot."""
    try:
        return current_snapshot(directory)
    except IndexMismatchError:
        return None


def write_snapshot(
    directory: Path, writer: Callable[[Path], object], *, keep_previous: bool = True
) -> Path:
    """Run `writer(folder)` on a fresh folder and commit it atomically; return the folder.

    With `keep_previous` the snapshot that was live before stays on disk (for readers that
    resolved `CURRENT` just before the swap); every other old snapshot and crash leftover
    is deleted after the commit.
    """
    directory.mkdir(parents=True, exist_ok=True)
    # Writers in other threads or processes would delete each other's temporary folders.
    with open(directory / _LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        return _write_locked(directory, writer, keep_previous=keep_previous)


def _write_locked(
    directory: Path, writer: Callable[[Path], object], *, keep_previous: bool
) -> Path:
    try:
        previous = current_version(directory)
    except IndexMismatchError:  # a damaged pointer is what a full re-index overwrites
        previous = None
    token = secrets.token_hex(6)
    tmp = directory / f"{_TMP_PREFIX}{token}"
    tmp.mkdir()
    try:
        writer(tmp)
        _fsync_tree(tmp)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        final = directory / f"{_VERSION_PREFIX}{stamp}-{token}"
        tmp.rename(final)
        fsync_dir(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _commit_pointer(directory, final.name)
    keep = {final.name} | ({previous} if keep_previous and previous else set())
    _collect_garbage(directory, keep=keep)
    return final


def _commit_pointer(directory: Path, name: str) -> None:
    """Point CURRENT at `name`: temp file, fsync, atomic replace, fsync the directory."""
    tmp = directory / f"{_TMP_PREFIX}{POINTER_NAME}-{secrets.token_hex(4)}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, directory / POINTER_NAME)
    fsync_dir(directory)


def _collect_garbage(directory: Path, *, keep: set[str]) -> None:
    """Delete snapshots not in `keep` (old or never committed) and temporary leftovers."""
    doomed = [
        p
        for p in directory.iterdir()
        if (_VERSION_RE.match(p.name) and p.name not in keep) or p.name.startswith(_TMP_PREFIX)
    ]
    for path in doomed:
        try:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError as exc:  # a reader may still hold it on some systems; retry next time
            logger.warning("could not remove old index snapshot %s: %s", path.name, exc)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make a rename or new entry in `path` durable (a no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            fsync_file(path)
        elif path.is_dir():
            fsync_dir(path)
    fsync_dir(folder)
