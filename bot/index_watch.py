"""Serving the newest index: swap the searcher to the live snapshot when it changes.

Whoever wrote the snapshot (this bot's re-index, or `newsbot ingest` / `newsbot reindex`
in another process), the swap is the same: load the snapshot's vector and keyword indexes
and the chunk catalog on a worker thread, then replace all three in the searcher at once.
Questions running meanwhile finish on the old indexes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.runtime import Runtime
from index.errors import NewsbotError
from index.snapshot import current_version
from index.snapshot_io import IndexPair, load_pair
from retrieval.async_search import AsyncSearcher
from retrieval.catalog import ChunkCatalog
from retrieval.corpus import build_catalog

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedIndex:
    pair: IndexPair
    catalog: ChunkCatalog


Loader = Callable[[], LoadedIndex | None]


def runtime_loader(runtime: Runtime) -> Loader:
    """Loads the live snapshot with the configured model's checks, and a fresh catalog."""
    settings = runtime.settings

    def load() -> LoadedIndex | None:
        embedder = runtime.embedder
        pair = load_pair(
            runtime.index_dir,
            model_name=embedder.model_name,
            dimension=embedder.dimension,
            threads=settings.cpu_threads,
        )
        if pair is None:
            return None
        return LoadedIndex(pair=pair, catalog=build_catalog(runtime.sessions))

    return load


class IndexReloader:
    """Knows which snapshot the searcher serves; `reload()` swaps in the live one."""

    def __init__(
        self, searcher: AsyncSearcher, index_dir: Path, load: Loader, version: str | None
    ) -> None:
        self._searcher = searcher
        self._index_dir = index_dir
        self._load = load
        self._version = version
        self._refused: str | None = None  # the last load problem logged
        self._lock = asyncio.Lock()

    @classmethod
    def for_runtime(cls, runtime: Runtime, searcher: AsyncSearcher) -> IndexReloader:
        """A reloader for a searcher that was just built from the live snapshot."""
        return cls(searcher, runtime.index_dir, runtime_loader(runtime), _version(runtime))

    @property
    def version(self) -> str | None:
        """The snapshot the searcher serves (None: none loaded from this directory yet)."""
        return self._version

    @property
    def searcher(self) -> AsyncSearcher:
        return self._searcher

    async def reload(self, *, force: bool = False) -> bool:
        """Swap in the live snapshot if it is not the one served (or `force`); True if swapped.

        Raises NewsbotError subclasses (IndexMismatchError) when the snapshot cannot be used;
        the searcher then keeps serving what it had.
        """
        async with self._lock:
            version = current_version(self._index_dir)
            if version is None or (version == self._version and not force):
                return False
            loaded = await asyncio.to_thread(self._load)
            if loaded is None:
                return False
            self._searcher.replace(loaded.pair.vectors, loaded.pair.keywords, loaded.catalog)
            self._version = version
        log.info("now serving index snapshot %s", version)
        return True

    def serves_live(self) -> bool:
        """Whether the searcher serves the live snapshot (not, say, an older one kept because
        the live one was built with another model). Blocking: reads the index directory."""
        try:
            return self._version is not None and current_version(self._index_dir) == self._version
        except NewsbotError:
            return False

    async def check(self) -> bool:
        """One look for a new snapshot (the periodic job); problems are logged once each."""
        try:
            return await self.reload()
        except NewsbotError as exc:
            if exc.user_message != self._refused:
                log.warning("cannot load the new index snapshot: %s", exc.user_message)
                self._refused = exc.user_message
            return False


def _version(runtime: Runtime) -> str | None:
    try:
        return current_version(runtime.index_dir)
    except NewsbotError:
        return None
