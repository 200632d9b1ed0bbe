"""Opening the index to answer from it, without ever being a second writer of its folder.

A reader (`newsbot ask`, the bot at start) first loads the live snapshot without writing
anything. Only when the index needs writing (no snapshot yet, vectors of deleted chunks,
or chunks without vectors that this reader was asked to embed) does it try the refresh
lock, without waiting: held, it opens again under the lock and repairs; refused (an ingest
or re-index runs, whose own open repairs the index) or unable to make the lock file (a
read-only folder), it answers from the snapshot as it is, where chunks without vectors are
just not found yet.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from index.errors import IndexFolderError
from index.indexing_types import RepairNotice, SyncReport
from index.pipeline import Indexer
from index.refresh_lock import RefreshBusyError, refresh_lock
from index.snapshot_io import IndexPair

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenedIndex:
    """The index to search, what opening it repaired or left, and why nothing could be
    written (`kept_out`: another writer, a read-only folder; None when nothing was)."""

    pair: IndexPair
    report: SyncReport
    kept_out: str | None = None


def open_for_reading(
    indexer: Indexer,
    index_dir: Path,
    *,
    embed_missing: bool,
    notice: RepairNotice | None = None,
) -> OpenedIndex:
    """Open `indexer` to search it; with `embed_missing`, chunks the index lacks are
    embedded too (`notice` told first) when no other writer holds the index. Blocking."""
    report = indexer.open(embed_missing=False, write=False)
    if not _needs_writing(report, embed_missing=embed_missing):
        return OpenedIndex(indexer.pair, report)
    held = contextlib.ExitStack()
    try:
        held.enter_context(refresh_lock(index_dir))
    except RefreshBusyError as exc:
        who = f"pid {exc.holder}" if exc.holder is not None else "another process"
        return _as_it_is(indexer, report, f"an ingest or re-index ({who}) is writing it")
    except IndexFolderError as exc:
        return _as_it_is(indexer, report, exc.detail or exc.user_message)
    with held:  # opened again under the lock: a writer may have saved a snapshot meanwhile
        report = indexer.open(embed_missing=embed_missing, notice=notice)
    return OpenedIndex(indexer.pair, report)


def _needs_writing(report: SyncReport, *, embed_missing: bool) -> bool:
    return report.fresh or report.removed > 0 or (embed_missing and report.missing > 0)


def _as_it_is(indexer: Indexer, report: SyncReport, reason: str) -> OpenedIndex:
    if report.missing:
        log.info(
            "answering from the index as it is (%s): %d chunks without vectors are not "
            "found until they are embedded",
            reason,
            report.missing,
        )
    return OpenedIndex(indexer.pair, report, kept_out=reason)
