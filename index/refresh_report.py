"""What a refresh run tells its caller: its phases, progress snapshots and final report.

`index/refresh.py` runs the refresh; the bot and the command line turn these into progress
bars, chat messages and the summary stored with the re-index run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from index.source_fetch import SourceFailure
from index.types import ParseFailure

# Phases, in the order a run goes through them.
FETCHING = "fetching"
REEMBEDDING = "re-embedding"  # full runs only, before the new articles are indexed
INDEXING = "indexing"
DONE = "done"


@dataclass(frozen=True)
class RefreshProgress:
    """Where a running refresh is, for progress messages and bars."""

    phase: str
    sources_done: int
    sources_total: int
    articles_fetched: int  # read from feeds, pages and folders so far
    articles_parsed: int  # gone through the indexer (stored, or skipped as duplicates)
    chunks_embedded: int
    elapsed_seconds: float
    eta_seconds: float | None  # None while there is nothing to estimate from
    # Linked pages of teaser feed entries (`index/feed_pages.py`), fetched while fetching.
    pages_done: int = 0
    pages_total: int = 0


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh did. `new_article_ids` are the articles stored for the first time."""

    sources: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    not_modified: int = 0  # sources that answered 304 Not Modified
    failed_sources: tuple[SourceFailure, ...] = ()
    parse_failures: tuple[ParseFailure, ...] = ()
    new_article_ids: tuple[int, ...] = ()
    chunks_embedded: int = 0
    reembedded: int = 0  # chunks re-embedded by a full run
    pages_fetched: int = 0  # linked pages of teaser feed entries requested
    pages_read: int = 0  # of those, the pages that gave their entry's article
    full: bool = False
    elapsed_seconds: float = 0.0

    def as_summary(self) -> dict[str, Any]:
        """JSON-serialisable summary, as stored with the re-index run."""
        return {
            "sources": self.sources,
            "new": self.new,
            "updated": self.updated,
            "duplicates": self.duplicates,
            "not_modified": self.not_modified,
            "failed_sources": [
                {"id": f.source_id, "location": f.location, "reason": f.reason}
                for f in self.failed_sources
            ],
            "parse_failures": len(self.parse_failures),
            "chunks_embedded": self.chunks_embedded,
            "reembedded": self.reembedded,
            "pages_fetched": self.pages_fetched,
            "pages_read": self.pages_read,
            "full": self.full,
            "seconds": round(self.elapsed_seconds, 3),
        }


ProgressCallback = Callable[[RefreshProgress], None]


def estimate_eta(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the pace so far; None before any progress (pure)."""
    if done <= 0 or total <= 0 or elapsed <= 0:
        return None
    return max(0.0, elapsed / done * (total - done))
