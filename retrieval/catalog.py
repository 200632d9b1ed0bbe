"""In-memory columns of chunk metadata, for filtering and grouping search results quickly.

One row per chunk: chunk id, article id, publication time (epoch seconds, NaN when undated),
outlet and story cluster (-1 when none). Columns are numpy arrays sorted by chunk id, so a
filter is a few vectorised comparisons and a lookup is one `searchsorted`.

Updates build new arrays and swap them in with a single assignment: a search running on
another thread keeps reading the snapshot it started with.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from retrieval.fusion import browse_order, period_distance
from retrieval.types import DateRange, SearchFilters

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
CodeArray = npt.NDArray[np.int32]

# (chunk_id, article_id, published_at, source, story_id): what the store knows of a chunk.
CatalogRow = tuple[int, int, datetime | float | None, str | None, int | None]


def to_epoch(value: datetime | float | None) -> float:
    """Epoch seconds of an aware (or UTC-naive) datetime; NaN for None."""
    if value is None:
        return math.nan
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.timestamp()
    return float(value)


@dataclass(frozen=True)
class _Columns:
    chunk_ids: IdArray  # sorted ascending, unique
    article_ids: IdArray
    published: FloatArray
    source_codes: CodeArray  # index into ChunkCatalog._source_names, -1 for none
    story_ids: IdArray


def _empty() -> _Columns:
    return _Columns(
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        np.empty(0, np.float64),
        np.empty(0, np.int32),
        np.empty(0, np.int64),
    )


class ChunkCatalog:
    """Metadata of every indexed chunk, as numpy columns."""

    def __init__(self) -> None:
        self._cols = _empty()
        self._source_names: list[str] = []  # display name, first spelling seen
        self._source_codes: dict[str, int] = {}  # casefolded name -> code
        self._sources_seen: tuple[_Columns, list[str]] | None = None  # sources() per snapshot

    @classmethod
    def from_rows(cls, rows: Iterable[CatalogRow]) -> ChunkCatalog:
        catalog = cls()
        catalog.add_rows(rows)
        return catalog

    @classmethod
    def from_arrays(
        cls,
        chunk_ids: Sequence[int] | IdArray,
        article_ids: Sequence[int] | IdArray,
        published: Sequence[float] | FloatArray,
        sources: Sequence[str | None],
        story_ids: Sequence[int] | IdArray,
    ) -> ChunkCatalog:
        catalog = cls()
        catalog.add_arrays(chunk_ids, article_ids, published, sources, story_ids)
        return catalog

    def __len__(self) -> int:
        return len(self._cols.chunk_ids)

    def ids(self) -> IdArray:
        return self._cols.chunk_ids.copy()

    def sources(self) -> list[str]:
        """Outlets present in the index (one spelling each), sorted."""
        cols, seen = self._cols, self._sources_seen
        if seen is not None and seen[0] is cols:  # asked once per question: cache it
            return list(seen[1])
        present = np.unique(cols.source_codes[cols.source_codes >= 0])
        names = sorted((self._source_names[i] for i in present), key=str.casefold)
        self._sources_seen = (cols, names)
        return list(names)

    def add_rows(self, rows: Iterable[CatalogRow]) -> None:
        """Add chunks, replacing any with the same id."""
        rows = list(rows)
        self.add_arrays(
            [r[0] for r in rows],
            [r[1] for r in rows],
            [to_epoch(r[2]) for r in rows],
            [r[3] for r in rows],
            [-1 if r[4] is None else r[4] for r in rows],
        )

    def add_arrays(
        self,
        chunk_ids: Sequence[int] | IdArray,
        article_ids: Sequence[int] | IdArray,
        published: Sequence[float] | FloatArray,
        sources: Sequence[str | None],
        story_ids: Sequence[int] | IdArray,
    ) -> None:
        """Add chunks from parallel columns (published: epoch seconds, NaN when undated)."""
        new_ids = np.asarray(chunk_ids, dtype=np.int64)
        columns = (article_ids, published, sources, story_ids)
        if any(len(column) != len(new_ids) for column in columns):
            raise ValueError("catalog columns must all have the same length")
        if len(np.unique(new_ids)) != len(new_ids):
            raise ValueError("duplicate chunk ids in one batch")
        old = self._cols
        keep = ~np.isin(old.chunk_ids, new_ids)
        merged = _Columns(
            np.concatenate([old.chunk_ids[keep], new_ids]),
            np.concatenate([old.article_ids[keep], np.asarray(article_ids, np.int64)]),
            np.concatenate([old.published[keep], np.asarray(published, np.float64)]),
            np.concatenate([old.source_codes[keep], self._encode(sources)]),
            np.concatenate([old.story_ids[keep], np.asarray(story_ids, np.int64)]),
        )
        self._cols = _sorted(merged)

    def remove_chunks(self, ids: Sequence[int] | IdArray) -> int:
        """Forget chunks; returns how many were known."""
        old = self._cols
        gone = np.isin(old.chunk_ids, np.asarray(ids, dtype=np.int64))
        keep = ~gone
        self._cols = _Columns(*(column[keep] for column in _fields(old)))
        return int(gone.sum())

    def allowed_ids(self, filters: SearchFilters) -> IdArray | None:
        """Chunk ids passing `filters`, sorted; None when nothing is filtered out.

        A date range excludes undated chunks (their date is unknown); `as_of` keeps them
        (nothing says they were published later).
        """
        cols = self._cols
        mask: npt.NDArray[np.bool_] | None = None
        if filters.date_range is not None:
            mask = _within(cols.published, filters.date_range)
        if filters.as_of is not None:
            dated_later = cols.published > to_epoch(filters.as_of)  # NaN compares False
            mask = ~dated_later if mask is None else mask & ~dated_later
        if filters.sources:
            codes = [self._source_codes.get(s.casefold(), -2) for s in filters.sources]
            in_sources = np.isin(cols.source_codes, np.asarray(codes, dtype=np.int32))
            mask = in_sources if mask is None else mask & in_sources
        if mask is None or (len(mask) > 0 and bool(mask.all())):
            return None
        return cols.chunk_ids[mask]

    def published_in(
        self, ids: Sequence[int] | IdArray, date_range: DateRange
    ) -> npt.NDArray[np.bool_]:
        """Whether each chunk id was published within `date_range` (undated or unknown:
        False); negative ids (padding) are unknown."""
        return _within(self.published_of(ids), date_range)

    def article_of(self, ids: Sequence[int] | IdArray) -> IdArray:
        """Article id of each chunk id; -1 for unknown chunks."""
        cols = self._cols
        return _lookup(cols, cols.article_ids, ids, -1)

    def story_of(self, ids: Sequence[int] | IdArray) -> IdArray:
        """Story cluster of each chunk id; -1 for none or unknown."""
        cols = self._cols
        return _lookup(cols, cols.story_ids, ids, -1)

    def published_of(self, ids: Sequence[int] | IdArray) -> FloatArray:
        """Publication time (epoch seconds) of each chunk id; NaN when undated or unknown."""
        cols = self._cols
        return _lookup(cols, cols.published, ids, math.nan)

    def columns_of(self, ids: Sequence[int] | IdArray) -> tuple[IdArray, IdArray, FloatArray]:
        """(article ids, story ids, published) of chunk ids from one consistent snapshot."""
        cols = self._cols
        return (
            _lookup(cols, cols.article_ids, ids, -1),
            _lookup(cols, cols.story_ids, ids, -1),
            _lookup(cols, cols.published, ids, math.nan),
        )

    def leads(self, allowed: IdArray | None) -> tuple[IdArray, IdArray, IdArray, FloatArray]:
        """(chunk ids, article ids, story ids, published) of each article's first chunk
        among `allowed` (None: all chunks), by chunk id: chunk ids grow with the ordinal,
        so it is the article's lead when all its chunks are allowed."""
        cols = self._cols
        if allowed is None:
            positions = np.arange(len(cols.chunk_ids))
        else:
            wanted = np.asarray(allowed, dtype=np.int64)
            positions = np.searchsorted(cols.chunk_ids, wanted)
            inside = positions < len(cols.chunk_ids)
            positions, wanted = positions[inside], wanted[inside]
            positions = np.unique(positions[cols.chunk_ids[positions] == wanted])
        _, first = np.unique(cols.article_ids[positions], return_index=True)
        chosen = np.sort(positions[first])
        return (
            cols.chunk_ids[chosen],
            cols.article_ids[chosen],
            cols.story_ids[chosen],
            cols.published[chosen],
        )

    def browse(
        self,
        filters: SearchFilters,
        period: DateRange | None,
        *,
        newest_first: bool,
        limit: int,
    ) -> tuple[IdArray, IdArray, IdArray]:
        """(chunk ids, article ids, story ids) of the leads of the articles a question
        without a topic lists, best first (`browse_order`): of those passing `filters`,
        the ones published in `period`, else (none there) the ones nearest to it."""
        allowed = self.allowed_ids(filters)
        if allowed is not None and len(allowed) == 0:
            return allowed, allowed, allowed
        candidates, nearest = allowed, False
        if period is not None:
            inside = self.allowed_ids(replace(filters, date_range=period))
            nearest = inside is not None and len(inside) == 0
            candidates = allowed if nearest else inside
        chunks, articles, stories, published = self.leads(candidates)
        distance = None
        if nearest and period is not None:
            start, end = (None if t is None else to_epoch(t) for t in (period.start, period.end))
            distance = period_distance(published, start=start, end=end)
        order = browse_order(published, stories, newest_first=newest_first, distance=distance)
        order = order[:limit]
        return chunks[order], articles[order], stories[order]

    def _encode(self, sources: Sequence[str | None]) -> CodeArray:
        codes = np.empty(len(sources), dtype=np.int32)
        for i, source in enumerate(sources):  # once per chunk at load time, not per search
            if source is None or not source.strip():
                codes[i] = -1
                continue
            key = source.strip().casefold()
            if key not in self._source_codes:
                self._source_codes[key] = len(self._source_names)
                self._source_names.append(source.strip())
            codes[i] = self._source_codes[key]
        return codes


def _within(published: FloatArray, date_range: DateRange) -> npt.NDArray[np.bool_]:
    """Publication times (epoch seconds, NaN: undated) inside an inclusive range."""
    mask = ~np.isnan(published)
    if date_range.start is not None:
        mask &= published >= to_epoch(date_range.start)
    if date_range.end is not None:
        mask &= published <= to_epoch(date_range.end)
    return mask


def _fields(cols: _Columns) -> tuple[np.ndarray, ...]:
    return (cols.chunk_ids, cols.article_ids, cols.published, cols.source_codes, cols.story_ids)


def _sorted(cols: _Columns) -> _Columns:
    order = np.argsort(cols.chunk_ids, kind="stable")
    return _Columns(*(column[order] for column in _fields(cols)))


def _lookup(
    cols: _Columns, column: np.ndarray, ids: Sequence[int] | IdArray, missing: float
) -> np.ndarray:
    wanted = np.asarray(ids, dtype=np.int64)
    if len(cols.chunk_ids) == 0:
        return np.full(wanted.shape, missing, dtype=column.dtype)
    positions = np.searchsorted(cols.chunk_ids, wanted)
    positions = np.minimum(positions, len(cols.chunk_ids) - 1)
    found = cols.chunk_ids[positions] == wanted
    return np.where(found, column[positions], missing).astype(column.dtype, copy=False)
