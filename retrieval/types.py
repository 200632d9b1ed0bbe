"""Frozen dataclasses that cross package boundaries on the read side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of publication times; either end may be open (None). Aware UTC."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions applied to a search, whether they came from the question or the caller."""

    date_range: DateRange | None = None
    sources: tuple[str, ...] = ()  # outlets, compared case-insensitively
    as_of: datetime | None = None  # only articles published on or before (undated pass)


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with what a citation needs. `score` is the fused ranking score."""

    chunk_id: int
    article_id: int
    title: str
    source: str | None
    published_at: datetime | None
    url: str | None
    text: str
    score: float  # fused ranking score (higher is better; only comparable within one search)
    similarity: float = 0.0  # cosine between the query and this chunk (comparable across searches)
    story_id: int | None = None
    # Where the retrieved chunk sits in `text` when neighbouring text of its article was
    # added around it (`retrieval/context.py`); None when `text` is the chunk alone or
    # several chunks merged into one source (`retrieval/merge.py`).
    span: tuple[int, int] | None = None


class AnswerMode(StrEnum):
    LLM = "llm"
    EXTRACTIVE = "extractive"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: [number] in the text points here."""

    number: int
    passage: Passage


@dataclass(frozen=True)
class Answer:
    """A cited answer: text with [n] markers, the sources they point to, how it was made."""

    text: str
    citations: tuple[Citation, ...]
    mode: AnswerMode
    query: str  # the standalone query that was searched
    passages: tuple[Passage, ...] = ()  # everything retrieved, ranked (for --json and eval)
    timings: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
