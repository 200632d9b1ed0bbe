"""Admin operations over the runtime, shared by the chat commands and the command line.

The functions here block (database, fetching, embedding): the bot calls them on its admin
worker thread (`bot/admin_service.py`), the command line calls them directly. Writers of
the index take `refresh_lock`, so a re-index in the bot and one from the shell never run
at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.admin_job import INTERRUPTED as INTERRUPTED  # the old import path works
from bot.runtime import Runtime
from index import refresh, store
from index.db import session_scope
from index.errors import BadInputError, IndexMismatchError, NewsbotError
from index.ingest_now import IngestNowResult, ingest_now
from index.manifest import read_manifest
from index.pipeline import ChunksCallback, SyncReport
from index.protocols import VectorIndex
from index.refresh import refresh_sources
from index.refresh_lock import RefreshBusyError, refresh_lock
from index.refresh_report import ProgressCallback, RefreshReport
from index.snapshot import current_snapshot
from index.source_fetch import DetectedSource, detect_source
from index.store_admin import already_registered, find_source
from index.types import Article, CorpusStats, ReindexRun, SourceRecord
from retrieval.outlet_names import same_site_outlets
from retrieval.types import AnswerMode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexInfo:
    """The live index on disk: FAISS kind ("flat" or "ivf"), vectors, bytes, build time."""

    kind: str | None
    vectors: int
    size_bytes: int
    built_at: str | None


@dataclass(frozen=True)
class AdminStats:
    """Everything /stats and `newsbot stats` show."""

    corpus: CorpusStats
    outlets: int  # one per site: "CNN", "cnn.com" and "edition.cnn.com" count once
    index: IndexInfo
    last_run: ReindexRun | None
    questions_today: Mapping[str, int]  # answer mode ("llm", "extractive", ...) -> count
    alerts_today: int


def is_url(location: str) -> bool:
    return location.strip().lower().startswith(("http://", "https://"))


# --- sources -----------------------------------------------------------------------------


async def describe_source(
    runtime: Runtime, location: str, kind: str | None = None
) -> tuple[str, str, DetectedSource | None]:
    """(kind, location to store, what was found there) for a URL or a local folder.

    URLs are fetched once to tell a feed from a page (unless `kind` says); paths must
    exist and are stored absolute, so the bot finds them whatever its working folder.
    """
    location = location.strip()
    if not location:
        raise BadInputError("Give the address (or folder) of the source to add.")
    if not is_url(location):
        if "://" in location:
            raise BadInputError("Only http:// and https:// addresses (or folders) can be added.")
        if kind not in (None, "folder"):
            raise BadInputError(f"{location} is a local path: it can only be a folder source.")
        return "folder", await asyncio.to_thread(folder_location, location), None
    if kind == "folder":
        raise BadInputError("A folder source is a path on this machine, not a URL.")
    # Another spelling of a registered address is refused before anything is fetched.
    await asyncio.to_thread(refuse_registered, runtime, location)
    if kind is not None:  # told what it is: no need to fetch it now
        return kind, location, None
    detected = await detect_source(location, policy=runtime.fetch_policy)
    return detected.kind, detected.url, detected


def folder_location(location: str) -> str:
    """The absolute path of an existing file or folder of articles."""
    path = Path(location).expanduser()
    if not path.exists():
        raise BadInputError(f"There is no file or folder at {location}.")
    return str(path.resolve())


def refuse_registered(runtime: Runtime, location: str) -> None:
    """BadInputError when `location` (or another spelling of it) is already a source."""
    with session_scope(runtime.sessions) as session:
        same = find_source(session=session, location=location)
    if same is not None:
        raise BadInputError(already_registered(location, same))


def register_source(runtime: Runtime, kind: str, location: str) -> SourceRecord:
    """Add a source; BadInputError when its address, however spelled, is already one."""
    with session_scope(runtime.sessions) as session:
        return store.add_source(session=session, kind=kind, location=location)


def list_sources(runtime: Runtime) -> list[SourceRecord]:
    with session_scope(runtime.sessions) as session:
        return store.list_sources(session=session)


def remove_source(runtime: Runtime, source_id: int) -> SourceRecord:
    with session_scope(runtime.sessions) as session:
        return store.remove_source(session=session, source_id=source_id)


def count_sources(runtime: Runtime, kind: str) -> int:
    with session_scope(runtime.sessions) as session:
        return len(store.list_sources(session=session, kind=kind))


# --- indexing ----------------------------------------------------------------------------


def run_reindex(
    runtime: Runtime,
    *,
    full: bool = False,
    kinds: Collection[str] | None = None,
    trigger: str = "command",
    progress: ProgressCallback | None = None,
    on_chunks: ChunksCallback | None = None,
    cancel: threading.Event | None = None,
    waiting: Callable[[int | None], None] | None = None,
) -> RefreshReport:
    """Refresh the sources under the index lock, recording the run in the database. With
    `waiting`, a lock another writer holds is waited for (`waiting` told its pid first)
    instead of RefreshBusyError."""
    with refresh_lock(runtime.index_dir, waiting=waiting):
        run_id = _start_run(runtime, full)
        try:
            report = refresh_sources(
                runtime.indexer(),
                runtime.sessions,
                policy=runtime.fetch_policy,
                full=full,
                kinds=kinds,
                progress=progress,
                on_chunks=on_chunks,
                cancel=cancel,
            )
        except BaseException as exc:
            reason = exc.user_message if isinstance(exc, NewsbotError) else type(exc).__name__
            _finish_run(runtime, run_id, "failed", {"trigger": trigger}, reason)
            raise
        _finish_run(runtime, run_id, "done", {**report.as_summary(), "trigger": trigger}, None)
        return report


def _close_interrupted(session: Session) -> ReindexRun | None:
    """The last run, marked failed if it still says running. Call with the refresh lock
    held: then whoever started that run is gone (killed, power cut)."""
    previous = store.last_reindex_run(session=session)
    if previous is not None and previous.status == "running":
        return store.finish_reindex_run(
            session=session, run_id=previous.id, status="failed", error=INTERRUPTED
        )
    return previous


def _start_run(runtime: Runtime, full: bool) -> int:
    with session_scope(runtime.sessions) as session:
        _close_interrupted(session)
        return store.start_reindex_run(session=session, full=full).id


def _finish_run(
    runtime: Runtime, run_id: int, status: str, summary: dict[str, object], error: str | None
) -> None:
    try:
        with session_scope(runtime.sessions) as session:
            store.finish_reindex_run(
                session=session, run_id=run_id, status=status, summary=summary, error=error
            )
    except NewsbotError as exc:  # the run's outcome matters more than its record
        log.warning("could not record the end of re-index run %d: %s", run_id, exc.user_message)


def repair_index(
    runtime: Runtime,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> SyncReport | None:
    """Embed the chunks a killed writer stored without vectors and save the snapshot, under
    the index lock; None when another writer holds it (alive: its own run goes on)."""
    try:
        with refresh_lock(runtime.index_dir):
            report = refresh.repair_index(runtime.indexer(), progress=progress, cancel=cancel)
    except RefreshBusyError:
        return None
    if report.added:
        log.info("repaired the index: %d chunks that were missing embedded", report.added)
    return report


def index_gap(runtime: Runtime, served: VectorIndex) -> tuple[int, int] | None:
    """(chunks stored, vectors served) when the two differ while no writer holds the index:
    a writer was killed between storing chunks and embedding them (or removing theirs). An
    update replaces chunks with new ids, so equal counts with another highest id differ too.
    None when they agree, or when a writer is at work (its own run finishes the job)."""
    with session_scope(runtime.sessions) as session:
        stored, highest = store.chunk_span(session=session)
    held = len(served)
    if stored == held:
        ids = served.ids()
        if (int(ids[-1]) if len(ids) else 0) == highest:
            return None
    try:
        with refresh_lock(runtime.index_dir):  # a look, not a claim
            return stored, held
    except RefreshBusyError:
        return None


def ingest_articles(runtime: Runtime, articles: Sequence[Article]) -> IngestNowResult:
    """Index these articles now (under the index lock) and describe each one."""
    with refresh_lock(runtime.index_dir):
        return ingest_now(runtime.indexer(), runtime.sessions, articles)


# --- statistics --------------------------------------------------------------------------


def index_info(index_dir: Path) -> IndexInfo:
    """What the live snapshot holds; an empty or damaged directory reports nothing."""
    try:
        manifest = read_manifest(index_dir)
        folder = current_snapshot(index_dir)
    except IndexMismatchError:
        return IndexInfo(kind=None, vectors=0, size_bytes=0, built_at=None)
    if manifest is None or folder is None:
        return IndexInfo(kind=None, vectors=0, size_bytes=0, built_at=None)
    try:
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    except OSError:  # replaced by a newer snapshot while we counted
        size = 0
    return IndexInfo(
        kind=manifest.kind, vectors=manifest.count, size_bytes=size, built_at=manifest.built_at
    )


def collect_stats(runtime: Runtime, now: datetime) -> AdminStats:
    """Corpus, index and activity figures; "today" starts at midnight in `now`'s timezone."""
    with session_scope(runtime.sessions) as session:
        corpus = store.corpus_stats(session=session)
        last_run = store.last_reindex_run(session=session)
        questions = store.questions_today(session=session, now=now)
        alerts = store.alerts_delivered_today(session=session, now=now)
    if last_run is not None and last_run.status == "running":
        # A run that says running while nobody holds the index was killed: say so.
        with (
            contextlib.suppress(RefreshBusyError),
            refresh_lock(runtime.index_dir),
            session_scope(runtime.sessions) as session,
        ):
            last_run = _close_interrupted(session)
    return AdminStats(
        corpus=corpus,
        outlets=len(same_site_outlets(corpus.per_source)),  # here, off the event loop
        index=index_info(runtime.index_dir),
        last_run=last_run,
        # Every answer mode, zeros too: a dashboard reads a key, not its absence.
        questions_today={**{mode.value: 0 for mode in AnswerMode}, **questions},
        alerts_today=alerts,
    )
