"""Frozen dataclasses that cross package boundaries on the write side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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


@dataclass(frozen=True)
class IngestReport:
    """Closing summary of one ingest run."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    failures: tuple[ParseFailure, ...] = ()
    new_article_ids: tuple[int, ...] = field(default=())
    chunks_embedded: int = 0

    def summary_line(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.duplicates} duplicates skipped, "
            f"{len(self.failures)} failed"
        )
