"""What a refresh run tells its caller: its phases, progress snapshots and final report.

`index/refresh.py` runs the refresh; the bot and the command line turn these into progress
bars, chat messages and the summary stored with the re-index run.

A file that cannot be parsed fails again on every run until someone fixes it; listing it
every time would hide what is new. So each run stores a fingerprint of every failure
(`failure_marks`, by source), and the next one counts a failure whose fingerprint is
unchanged as known instead of listing it again (`RefreshReport.known_failures`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from index.parsing import MAX_DOCUMENT_BYTES
from index.source_fetch import SourceFailure
from index.types import ParseFailure, ReindexRun, SourceRecord

# Phases, in the order a run goes through them.
FETCHING = "fetching"
REPAIRING = "repairing"  # chunks a killed run stored but never embedded, before indexing
REEMBEDDING = "re-embedding"  # full runs only, before the new articles are indexed
INDEXING = "indexing"
DONE = "done"

# What failures are grouped by: a source id (re-index), or a target's text (`newsbot ingest`).
GroupKey = TypeVar("GroupKey", int, str)


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
    parse_failures: tuple[ParseFailure, ...] = ()  # every one met in this run
    # Of those, the ones the last run also met, unchanged (same reason, same file content).
    known_failures: tuple[ParseFailure, ...] = ()
    # Source id (as text, for JSON) -> failure name -> fingerprint; read by the next run.
    failure_marks: dict[str, dict[str, str]] = field(default_factory=dict)
    new_article_ids: tuple[int, ...] = ()
    chunks_embedded: int = 0  # chunks of the new and updated articles
    # Chunks stored earlier but missing from the index (a run killed before embedding
    # them), embedded by this run before its new articles.
    repaired: int = 0
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
            "failure_marks": self.failure_marks,
            "chunks_embedded": self.chunks_embedded,
            "repaired": self.repaired,
            "reembedded": self.reembedded,
            "pages_fetched": self.pages_fetched,
            "pages_read": self.pages_read,
            "full": self.full,
            "seconds": round(self.elapsed_seconds, 3),
        }

    @property
    def new_failures(self) -> tuple[ParseFailure, ...]:
        """The failures not met unchanged by the last run: the ones worth listing."""
        known = set(self.known_failures)
        return tuple(f for f in self.parse_failures if f not in known)


ProgressCallback = Callable[[RefreshProgress], None]


def estimate_eta(done: int, total: int, elapsed: float) -> float | None:
    """Seconds left at the pace so far; None before any progress (pure)."""
    if done <= 0 or total <= 0 or elapsed <= 0:
        return None
    return max(0.0, elapsed / done * (total - done))


def indexing_eta(
    *, parsed: int, expected: int, embedded: int, pending: int, elapsed: float
) -> float | None:
    """Seconds left of an indexing phase (pure); None when there is no pace to go by.

    Embedding is most of the work, and it trails the reading: every article can be read
    and stored while hundreds of its chunks still wait for the model. So the pace is
    measured in chunks: those stored and waiting, plus as many per article not read yet as
    the articles read so far gave. Only a phase that has embedded nothing yet, and has
    nothing waiting (every article already indexed), goes by its articles.
    """
    if parsed <= 0 or elapsed <= 0:
        return None
    if embedded <= 0:
        return None if pending else estimate_eta(parsed, max(expected, parsed), elapsed)
    unread = max(0, expected - parsed)
    left = pending + (embedded + pending) / parsed * unread
    return elapsed / embedded * left


# --- failures met before -----------------------------------------------------------------

_PART = re.compile(r"[:#]\d+$")  # "file.jsonl:3", "file.json#2": a record of a file


def fingerprint_failures(failures: Iterable[ParseFailure], *, local: bool) -> dict[str, str]:
    """Each failure's name -> a fingerprint of its reason and, for a file of a folder
    source (`local`), of the file's content: fixing or replacing the file changes it."""
    digests: dict[Path, str] = {}
    marks: dict[str, str] = {}
    for failure in failures:
        file = _file_of(failure.name) if local else None
        content = ""
        if file is not None:
            if file not in digests:
                digests[file] = _digest(file)
            content = digests[file]
        text = f"{failure.reason}\0{content}".encode()
        marks[failure.name] = hashlib.sha256(text).hexdigest()[:16]
    return marks


def _file_of(name: str) -> Path | None:
    for candidate in (name, _PART.sub("", name)):
        try:
            if Path(candidate).is_file():
                return Path(candidate)
        except (OSError, ValueError):  # a name no file can have
            continue
    return None


def _digest(file: Path) -> str:
    try:
        info = file.stat()
        if info.st_size > MAX_DOCUMENT_BYTES:  # refused unread: its size and date will do
            return f"{info.st_size}:{info.st_mtime_ns}"
        with file.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "unreadable"


def compare_failures(
    failed: Mapping[GroupKey, Sequence[ParseFailure]],
    marks: Mapping[GroupKey, Mapping[str, str]],
    previous: Mapping[str, Any],
    keep: Collection[GroupKey],
) -> tuple[tuple[ParseFailure, ...], dict[str, dict[str, str]]]:
    """The failures the last run met unchanged, and the marks to store for the next run (pure).

    `failed` and `marks` are the failures of the sources read in this run and their
    fingerprints, by source id (by target for `newsbot ingest`); `previous` the last run's
    stored marks. The marks of the sources in `keep` (registered but not read this time: of
    another kind, not modified, failed as a whole) are carried over, so a later run still
    knows their failures.
    """
    known: list[ParseFailure] = []
    for source_id, failures in failed.items():
        before = previous.get(str(source_id))
        if not isinstance(before, Mapping):
            continue
        now = marks.get(source_id, {})
        known.extend(f for f in failures if f.name in now and before.get(f.name) == now[f.name])
    stored = {
        str(source_id): dict(previous[str(source_id)])
        for source_id in keep
        if isinstance(previous.get(str(source_id)), Mapping)
    }
    stored.update({str(source_id): dict(m) for source_id, m in marks.items()})
    return tuple(known), stored


def known_failures(
    failed: Mapping[int, Sequence[ParseFailure]],
    folders: Collection[int],
    last: ReindexRun | None,
    registered: Iterable[SourceRecord],
) -> tuple[tuple[ParseFailure, ...], dict[str, dict[str, str]]]:
    """`compare_failures` against the last finished run, fingerprinting this run's failures
    (by source id in `failed`; file contents for the `folders` among them)."""
    marks = {
        source_id: fingerprint_failures(failures, local=source_id in folders)
        for source_id, failures in failed.items()
    }
    previous = last.summary.get("failure_marks", {}) if last is not None else {}
    if not isinstance(previous, Mapping):
        previous = {}
    keep = {source.id for source in registered} - set(failed)
    return compare_failures(failed, marks, previous, keep)
