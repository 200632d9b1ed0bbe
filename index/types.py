"""Frozen dataclasses that cross package boundaries on the write side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Article:
    """A parsed article, before storage. `published_at` is timezone-aware (UTC) or None."""

    title: str
    body: str
    source: str | None = None  # the outlet ("CNN", "Wikinews", "site-59")
    published_at: datetime | None = None
    url: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ParseFailure:
    """One input (file, URL, record) that could not be parsed, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class ParseResult:
    """What one input produced: articles and the failures met on the way."""

    articles: tuple[Article, ...] = ()
    failures: tuple[ParseFailure, ...] = ()


@dataclass(frozen=True)
class ChunkText:
    """One chunk of an article before storage: the passage and the text that gets embedded."""

    ordinal: int
    text: str  # the passage as shown to users
    embed_text: str  # header (title, date) + passage, what the embedder sees


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with its database id and identity key."""

    id: int
    key: str  # normalised URL, or "sha256:<content hash>"
    title: str
    body: str
    source: str | None
    published_at: datetime | None
    url: str | None
    language: str | None
    content_hash: str
    story_id: int | None = None  # near-duplicate cluster (syndicated copies share it)


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as stored: its id is the vector id in the FAISS index."""

    id: int
    article_id: int
    ordinal: int
    text: str
    embed_text: str


class UpsertStatus(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class UpsertResult:
    status: UpsertStatus
    article_id: int
    removed_chunk_ids: tuple[int, ...] = ()  # chunks dropped by an UPDATED article (vector ids)


@dataclass(frozen=True)
class IngestReport:
    """Closing summary of one ingest run."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    failures: tuple[ParseFailure, ...] = ()
    new_article_ids: tuple[int, ...] = field(default=())
    chunks_embedded: int = 0
    # Of `failures`, the ones the last run met unchanged (counted, not listed again).
    known_failures: tuple[ParseFailure, ...] = ()

    def summary_line(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.duplicates} duplicates skipped, "
            f"{len(self.failures)} failed"
        )


# --- storage records (index/store*.py) -------------------------------------------------


@dataclass(frozen=True, eq=False)
class ChunkMeta:
    """Columnar metadata of chunks, row i describing chunk `chunk_ids[i]` (sorted by id).

    `published` holds UTC epoch seconds (NaN when undated); `story_ids` holds the story
    cluster, or the article's own id when it has none, so grouping by story always works.
    """

    chunk_ids: npt.NDArray[np.int64]
    article_ids: npt.NDArray[np.int64]
    published: npt.NDArray[np.float64]
    sources: tuple[str | None, ...]
    story_ids: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.chunk_ids.shape[0])


@dataclass(frozen=True)
class CorpusStats:
    """What the store holds, for /stats and the command line."""

    articles: int
    chunks: int
    stories: int
    per_source: tuple[tuple[str, int], ...]  # (outlet, article count), biggest first
    first_published: datetime | None
    last_published: datetime | None


@dataclass(frozen=True)
class ChatTurn:
    """One message of a chat's history. `role` is "user" or "assistant"."""

    id: int
    chat_id: int
    role: str
    text: str
    message_id: int | None
    article_id: int | None
    created_at: datetime
    follows_id: int | None = None  # the turn it continues (see `store_chat.turn_chain`)


@dataclass(frozen=True)
class SourceRecord:
    """A registered source: kind is "feed", "page" or "folder"."""

    id: int
    kind: str
    location: str
    added_at: datetime
    last_fetch_at: datetime | None
    last_error: str | None
    etag: str | None
    last_modified: str | None
    article_count: int  # articles first indexed from this source
    last_read: int | None = None  # articles its last read gave, new or not (None: not known)


@dataclass(frozen=True)
class Subscription:
    """A chat's topic alert. `digest_hours` None means instant alerts."""

    id: int
    chat_id: int
    topic: str
    must_words: tuple[str, ...]
    exclude_words: tuple[str, ...]
    active: bool
    digest_hours: int | None
    last_digest_at: datetime | None
    created_at: datetime
    number: int  # its number in the chat (1, 2, 3...): what users see and type
    thread_id: int | None = None  # the forum topic its alerts go to (None: the chat itself)


@dataclass(frozen=True)
class PendingDelivery:
    """An alert claimed for sending: one story for one chat, from one subscription."""

    id: int
    subscription_id: int
    chat_id: int
    article_id: int
    story_id: int
    score: float
    reason: str
    topic: str
    created_at: datetime
    thread_id: int | None = None  # its subscription's forum topic (None: the chat itself)


@dataclass(frozen=True)
class DigestBatch:
    """The claimed deliveries of one digest subscription that is due."""

    subscription: Subscription
    deliveries: tuple[PendingDelivery, ...]


@dataclass(frozen=True)
class ReindexRun:
    """One re-index run: status is "running", "done" or "failed"."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    full: bool
    summary: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    error: str | None = None
