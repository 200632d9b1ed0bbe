"""The admin side of the bot: sources, one re-index at a time, /ingest, /stats.

Index writes (re-index, feed polls, /ingest) run one at a time on one owned worker thread,
never on the event loop; a second request meanwhile gets `AdminBusyError` carrying the
running job, whose `progress` the worker keeps up to date (both in `bot/admin_job.py`).
When a write finishes, the searcher is swapped to the new snapshot (`IndexReloader`), so
questions asked during the work are answered from the old index. Then the hooks in
`on_new_articles` (the alert matcher) receive, a batch at a time, the articles an earlier
run left unmatched (killed between storing and matching, or a hook failed), then the
chunks of the new and updated articles. The left ones are matched before a re-index or
feed poll too, and once more after it, when the run has embedded the chunks a killed run
left without vectors. When the database holds chunks its index lacks while no writer holds
the index (a killed `newsbot ingest`), `repair_if_behind` (the index watch) embeds them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Awaitable, Callable, Collection, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot import admin_ops
from bot.admin_job import AdminBusyError as AdminBusyError  # the old import paths work
from bot.admin_job import AdminConfig as AdminConfig
from bot.admin_job import AdminJob as AdminJob
from bot.admin_job import fail_job
from bot.admin_ops import AdminStats
from bot.alerts_unmatched import unmatched_chunks
from bot.index_watch import IndexReloader
from bot.new_chunks import without_articles
from bot.runtime import Runtime
from bot.storage_outage import StorageOutage
from index.errors import NewsbotError, ParseError
from index.feed_pages import fetch_with_pages
from index.indexing_types import merge_new_chunks
from index.ingest_now import IngestNowResult
from index.pipeline import NewChunks
from index.refresh_report import RefreshProgress
from index.source_fetch import DetectedSource
from index.types import SourceRecord

log = logging.getLogger(__name__)
T = TypeVar("T")

# Receives the chunks (with vectors) of newly indexed articles, after the swap.
NewArticlesHook = Callable[[NewChunks], Awaitable[None]]


class AdminService:
    """Holds the admin worker thread and the state of the running job."""

    def __init__(
        self,
        runtime: Runtime,
        reloader: IndexReloader,
        *,
        config: AdminConfig | None = None,
        clock: Callable[[], datetime] = functools.partial(datetime.now, UTC),
    ) -> None:
        self._runtime = runtime
        self._reloader = reloader
        self._config = config or AdminConfig()
        self._clock = clock
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-admin")
        self._cancel = threading.Event()
        self._job: AdminJob | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._gap: tuple[str | None, tuple[int, int]] | None = None  # last look's mismatch
        self.on_new_articles: list[NewArticlesHook] = []
        self.outage = StorageOutage()  # the index watch and the error handler tell it

    @property
    def config(self) -> AdminConfig:
        return self._config

    @property
    def reloader(self) -> IndexReloader:
        return self._reloader

    @property
    def job(self) -> AdminJob | None:
        """The running index write, if any."""
        return self._job

    @property
    def busy(self) -> bool:
        return self._job is not None

    # -- index writes -------------------------------------------------------------------

    def start_reindex(self, *, full: bool = False) -> AdminJob:
        """Start re-indexing every source in the background; AdminBusyError if one runs."""
        return self._start("full" if full else "reindex", full=full, kinds=None)

    async def poll_feeds(self) -> AdminJob | None:
        """Start an incremental refresh of the feed sources; None when busy or no feeds."""
        if self._job is not None or self._closed:
            log.info("feed poll skipped: another index write is running")
            return None
        feeds = await asyncio.to_thread(admin_ops.count_sources, self._runtime, "feed")
        if not feeds or self._job is not None:
            return None
        return self._start("poll", full=False, kinds=("feed",))

    async def repair_if_behind(self) -> AdminJob | None:
        """Start a repair when the database holds another number of chunks than the index
        served, with no writer at work, at two looks in a row (a writer that does not
        take the lock gets one interval to finish); None when nothing is to be done."""
        if self._job is not None or self._closed:
            return None
        reloader = self._reloader
        served = reloader.searcher.searcher.vector_index
        gap = None  # an older snapshot served on purpose has nothing to compare with
        if await self._on_worker(reloader.serves_live):
            gap = await self._on_worker(admin_ops.index_gap, self._runtime, served)
            self.outage.succeeded()  # the database answered
        seen = (reloader.version, gap) if gap is not None else None
        if seen is None or seen != self._gap or self._job is not None or self._closed:
            self._gap = seen
            return None
        self._gap = None
        log.info("the index lacks chunks the database holds (%d stored, %d served)", *gap)
        job = self._claim("repair")
        self._spawn(self._run_repair(job))
        return job

    async def ingest_url(self, url: str) -> IngestNowResult:
        """Fetch one URL and index its article(s) now; AdminBusyError while a job runs."""
        job = self._claim("ingest")
        result: IngestNowResult | None = None
        try:
            _, parsed = await fetch_with_pages(url, policy=self._runtime.fetch_policy)
            if not parsed.articles:
                reason = parsed.failures[0].reason if parsed.failures else "no article text"
                raise ParseError(f"No article could be read at that address ({reason}).")
            result = await self._on_worker(
                admin_ops.ingest_articles, self._runtime, parsed.articles
            )
            await self._reloader.reload()
        except BaseException as exc:
            job.error = exc
            raise
        finally:
            self._release(job)
        assert result is not None
        if self.on_new_articles:  # opening the indexer may have repaired left articles
            self._spawn(self._alert(result.new_chunks))
        return result

    def _claim(self, kind: str) -> AdminJob:
        if self._closed:
            raise NewsbotError("The bot is shutting down.")
        if self._job is not None:
            raise AdminBusyError(self._job)
        self._job = AdminJob(kind=kind, started_at=self._clock())
        return self._job

    def _release(self, job: AdminJob) -> None:
        if self._job is job:
            self._job = None
        job.done.set()

    def _start(self, kind: str, *, full: bool, kinds: tuple[str, ...] | None) -> AdminJob:
        job = self._claim(kind)
        self._spawn(self._run_refresh(job, full=full, kinds=kinds))
        return job

    async def _run_refresh(
        self, job: AdminJob, *, full: bool, kinds: tuple[str, ...] | None
    ) -> None:
        parts: list[NewChunks] | None = [] if self.on_new_articles else None

        def progress(state: RefreshProgress) -> None:
            job.progress = state  # one reference assignment: safe to read from the loop

        try:
            await self._match_unmatched()  # what earlier runs left first, in id order
            job.report = await self._on_worker(
                admin_ops.run_reindex,
                self._runtime,
                full=full,
                kinds=kinds,
                trigger=job.kind,
                progress=progress,
                on_chunks=parts.append if parts is not None else None,
                cancel=self._cancel,
            )
            await self._reloader.reload()
        except Exception as exc:
            fail_job(job, exc)
        finally:
            self._release(job)
        if job.error is None and parts is not None:
            # The run's repair gave vectors to articles a killed run left: those first.
            await self._alert(merge_new_chunks(parts))

    async def _run_repair(self, job: AdminJob) -> None:
        def progress(state: RefreshProgress) -> None:
            job.progress = state

        repaired = None
        try:
            repaired = await self._on_worker(
                admin_ops.repair_index, self._runtime, progress=progress, cancel=self._cancel
            )
            if repaired is not None:
                await self._reloader.reload()
        except Exception as exc:
            fail_job(job, exc)
        finally:
            self._release(job)
        if job.error is None and repaired is not None:
            await self._alert(None)

    async def _alert(self, fresh: NewChunks | None) -> None:
        """The hooks get the articles left unmatched (in id order), then `fresh`: the new
        and updated articles of the write that just finished."""
        await self._match_unmatched(skip=set(fresh.article_ids) if fresh is not None else ())
        if fresh is not None:
            await self._notify(fresh)

    async def _match_unmatched(self, skip: Collection[int] = ()) -> None:
        """Hand the hooks the articles left unmatched but those in `skip`, with the vectors
        the searcher serves (an article it lacks a vector of waits for a later run)."""
        if not self.on_new_articles:
            return
        batches = unmatched_chunks(
            self._runtime.sessions, lambda: self._reloader.searcher.searcher.vector_index
        )
        while not self._closed:
            try:
                chunks = await self._on_worker(lambda: next(batches, None))
            except Exception:
                log.exception("reading the articles left unmatched failed")
                return
            if chunks is None:
                return
            chunks = without_articles(chunks, skip)
            if chunks is not None:
                await self._notify(chunks)

    async def _notify(self, chunks: NewChunks) -> None:
        for hook in list(self.on_new_articles):
            try:
                await hook(chunks)
            except Exception:
                log.exception("a new-articles hook failed")

    async def _on_worker(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def track(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a coroutine that follows a job (a progress message) until `aclose`."""
        return self._spawn(coroutine)

    # -- sources and figures ---------------------------------------------------------------

    async def add_source(self, location: str) -> tuple[SourceRecord, DetectedSource | None]:
        """Register a feed or page URL (its kind detected by fetching it) or a folder."""
        kind, stored, detected = await admin_ops.describe_source(self._runtime, location)
        record = await asyncio.to_thread(admin_ops.register_source, self._runtime, kind, stored)
        return record, detected

    async def sources(self) -> list[SourceRecord]:
        return await asyncio.to_thread(admin_ops.list_sources, self._runtime)

    async def remove_source(self, source_id: int) -> SourceRecord:
        return await asyncio.to_thread(admin_ops.remove_source, self._runtime, source_id)

    async def stats(self, now: datetime) -> AdminStats:
        """Figures for /stats; `now` (aware) decides where "today" starts."""
        return await asyncio.to_thread(admin_ops.collect_stats, self._runtime, now)

    # -- lifecycle ----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Stop the running job at its next progress point and wait for everything."""
        self._closed = True
        self._cancel.set()
        tasks = list(self._tasks)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.to_thread(self._executor.shutdown, wait=True)
