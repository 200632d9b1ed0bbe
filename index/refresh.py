"""Refreshing the registered sources: fetch what changed, index it, say what happened.

Feeds and pages are fetched first, a few at a time, with conditional requests (the stored
ETag / Last-Modified), a feed's teaser entries completed from their linked pages unless
already indexed in full (`index/feed_pages.py`); then every article goes through one
`Indexer.ingest` pass, so one snapshot is written at the end and not one per source.
Folders are parsed while they are ingested. A source's validators and article count are
recorded only after its articles are committed: a crash in between makes the next run
fetch them again instead of skipping them.

A source that fails (HTTP error, timeout, refused address, malformed feed, missing folder)
is recorded with its reason and never stops the others. Runs are serialised across threads
and processes by `refresh_lock` (in `index/refresh_lock.py`, re-exported here). What a run
reports (its phases, progress snapshots and final report) is in `index/refresh_report.py`;
its mutable tally, and `RefreshCancelled` (re-exported here), in `index/refresh_run.py`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.fetch import FetchPolicy
from index.identity import article_key
from index.parsing import iter_article_files, iter_path
from index.pipeline import ChunksCallback, Indexer, IngestProgress, SyncReport
from index.refresh_lock import LOCK_NAME as LOCK_NAME  # the old import paths keep working
from index.refresh_lock import RefreshBusyError as RefreshBusyError
from index.refresh_lock import refresh_lock as refresh_lock
from index.refresh_report import (
    DONE,
    FETCHING,
    INDEXING,
    REEMBEDDING,
    REPAIRING,
    ProgressCallback,
    RefreshReport,
    estimate_eta,
    indexing_eta,
    known_failures,
)
from index.refresh_run import RefreshCancelled as RefreshCancelled
from index.refresh_run import RefreshRun
from index.source_fetch import FetchedSource, fetch_sources, record_outcomes, stored_lookups
from index.store_admin import last_done_reindex_run
from index.types import Article, ParseFailure, SourceRecord

log = logging.getLogger(__name__)


def refresh_sources(
    indexer: Indexer,
    sessions: sessionmaker[Session],
    *,
    policy: FetchPolicy,
    full: bool = False,
    kinds: Collection[str] | None = None,
    progress: ProgressCallback | None = None,
    on_chunks: ChunksCallback | None = None,
    cancel: threading.Event | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RefreshReport:
    """Fetch every source (of `kinds`, default all) and index what is new or changed.

    `indexer` must not be opened yet: a normal run opens it (repairing the index against
    the database), a full run re-embeds every stored chunk first with `Indexer.rebuild`
    (which also works after a model change), then indexes the new articles once. Blocking:
    call it from a worker thread or the command line, never on an event loop. Setting
    `cancel` stops the run at the next progress point with RefreshCancelled.
    """
    with session_scope(sessions) as session:
        registered = store.list_sources(session=session)
        last = last_done_reindex_run(session=session)
    sources = [s for s in registered if not kinds or s.kind in kinds]
    run = RefreshRun(
        started=time.monotonic(), sources_total=len(sources), progress=progress, cancel=cancel
    )
    remote = [s for s in sources if s.kind != "folder"]
    folders = [s for s in sources if s.kind == "folder"]
    run.enter(FETCHING)

    def fetched_one(result: FetchedSource) -> None:
        run.sources_done += 1
        run.fetched += len(result.articles)
        run.report()

    def page_counted(planned: int, done: int) -> None:
        # Inside a feed's read: a cancel waits for the feed's end (`fetched_one`), since
        # raising here would record the feed as failed.
        run.pages_total += planned
        run.pages_done += done
        run.show()

    known, owners = stored_lookups(sessions)
    fetched = (
        asyncio.run(
            fetch_sources(
                remote,
                policy,
                on_done=fetched_one,
                known=known,
                owners=owners,
                on_pages=page_counted,
            )
        )
        if remote
        else []
    )
    reembedded = _reembed(indexer, run) if full else 0
    if not full:
        run.repaired = _open(indexer, run).added
    missing = [s for s in folders if not Path(s.location).exists()]
    present = [s for s in folders if s not in missing]
    run.expected = run.fetched + sum(_count_files(Path(s.location)) for s in present)
    run.enter(INDEXING)

    def ingest_progress(state: IngestProgress) -> None:
        run.parsed, run.embedded = state.articles_seen, run.repaired + state.chunks_embedded
        run.eta = indexing_eta(
            parsed=state.articles_seen,
            expected=run.expected,
            embedded=state.chunks_embedded,
            pending=state.chunks_pending,
            elapsed=time.monotonic() - run.phase_started,
        )
        run.report()

    items = _items(fetched, present, run)
    ingest = indexer.ingest(items, progress=ingest_progress, on_chunks=on_chunks)
    run.sources_done = len(sources)
    new_ids = set(ingest.new_article_ids)
    failed = record_outcomes(sessions, fetched, present, missing, run.keys, new_ids, clock())
    read = [r for r in fetched if r.error is None and not r.not_modified]
    run.failed.update((r.source.id, list(r.failures)) for r in read)
    repeated, marks = known_failures(run.failed, {s.id for s in present}, last, registered)
    run.enter(DONE)
    return RefreshReport(
        sources=len(sources),
        new=ingest.new,
        updated=ingest.updated,
        duplicates=ingest.duplicates,
        not_modified=sum(1 for f in fetched if f.not_modified),
        failed_sources=tuple(failed),
        parse_failures=ingest.failures + tuple(f for r in read for f in r.failures),
        known_failures=repeated,
        failure_marks=marks,
        new_article_ids=ingest.new_article_ids,
        chunks_embedded=ingest.chunks_embedded,
        repaired=run.repaired,
        reembedded=reembedded,
        full=full,
        elapsed_seconds=time.monotonic() - run.started,
        pages_fetched=sum(f.pages_fetched for f in fetched),
        pages_read=sum(f.pages_read for f in fetched),
    )


def repair_index(
    indexer: Indexer,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport:
    """Open `indexer` (not opened yet), embedding the chunks a killed run stored without
    vectors, as a run's repairing phase: the same progress, the same cancel. Blocking."""
    run = RefreshRun(started=time.monotonic(), sources_total=0, progress=progress, cancel=cancel)
    return _open(indexer, run)


def _open(indexer: Indexer, run: RefreshRun) -> SyncReport:
    """`indexer.open()`; a repair it makes is the REPAIRING phase (then back to the phase
    the run was in)."""
    phase = run.phase

    def repair_progress(state: IngestProgress) -> None:
        run.embedded = state.chunks_embedded
        if run.phase != REPAIRING:
            run.enter(REPAIRING)  # reported: nothing to estimate from yet
            return
        total = state.chunks_embedded + state.chunks_pending
        run.eta = estimate_eta(run.embedded, total, time.monotonic() - run.phase_started)
        run.report()

    report = indexer.open(progress=repair_progress)
    if run.phase == REPAIRING:
        run.phase, run.eta = phase, None
    return report


def _reembed(indexer: Indexer, run: RefreshRun) -> int:
    run.enter(REEMBEDDING)

    def rebuild_progress(state: IngestProgress) -> None:
        run.embedded = state.chunks_embedded
        total = state.chunks_embedded + state.chunks_pending
        run.eta = estimate_eta(run.embedded, total, time.monotonic() - run.phase_started)
        run.report()

    done = indexer.rebuild(progress=rebuild_progress)
    run.embedded = 0
    return done


def _count_files(path: Path) -> int:
    if path.is_file():
        return 1
    return sum(1 for _ in iter_article_files(path))


def _items(
    fetched: list[FetchedSource],
    folders: list[SourceRecord],
    run: RefreshRun,
) -> Iterator[Article | ParseFailure]:
    """Every article to ingest, remembering which source gave which article key."""
    for result in fetched:
        keys = run.keys.setdefault(result.source.id, [])
        keys.extend(result.indexed_keys)  # counted as read, not ingested again
        for article in result.articles:
            keys.append(article_key(article))
            yield article
    for source in folders:
        keys = run.keys.setdefault(source.id, [])
        failed = run.failed.setdefault(source.id, [])
        try:
            for item in iter_path(Path(source.location)):
                if isinstance(item, Article):
                    run.fetched += 1
                    keys.append(article_key(item))
                else:
                    failed.append(item)
                yield item
        except OSError as exc:  # the folder vanished or became unreadable mid-walk
            log.warning("reading folder source #%d failed: %s", source.id, exc)
            failed.append(ParseFailure(source.location, "the folder could not be read"))
            yield failed[-1]
        run.sources_done += 1
