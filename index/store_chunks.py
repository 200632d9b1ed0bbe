"""Chunks: the passages of articles; a chunk's row id is its vector id in the index."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from index.schema import ArticleRow, ChunkRow
from index.store_common import batched, unique_ints
from index.types import ChunkMeta, ChunkText, StoredChunk

_CHUNK_COLUMNS = (
    ChunkRow.id,
    ChunkRow.article_id,
    ChunkRow.ordinal,
    ChunkRow.text,
    ChunkRow.embed_text,
)
_CHUNKS = ChunkRow.__table__


def _to_chunk(row: Sequence[object]) -> StoredChunk:
    chunk_id, article_id, ordinal, text, embed_text = row
    return StoredChunk(
        id=int(chunk_id),  # type: ignore[call-overload]
        article_id=int(article_id),  # type: ignore[call-overload]
        ordinal=int(ordinal),  # type: ignore[call-overload]
        text=str(text),
        embed_text=str(embed_text),
    )


def replace_chunks(
    *, session: Session, article_id: int, chunks: Sequence[ChunkText]
) -> list[StoredChunk]:
    """Drop the article's chunks and store `chunks`; returns them with their new ids."""
    delete_chunks_of(session=session, article_ids=[article_id])
    return insert_chunks(session=session, chunks=[(article_id, c) for c in chunks])


def delete_chunks_of(*, session: Session, article_ids: Iterable[int]) -> dict[int, list[int]]:
    """Drop the chunks of these articles; the ids dropped, ascending, by article."""
    removed: dict[int, list[int]] = {}
    for batch in batched(unique_ints(article_ids)):
        rows = session.execute(
            select(ChunkRow.article_id, ChunkRow.id)
            .where(ChunkRow.article_id.in_(batch))
            .order_by(ChunkRow.id)
        )
        for article_id, chunk_id in rows:
            removed.setdefault(int(article_id), []).append(int(chunk_id))
        session.execute(delete(ChunkRow).where(ChunkRow.article_id.in_(batch)))
    return removed


def insert_chunks(
    *, session: Session, chunks: Sequence[tuple[int, ChunkText]]
) -> list[StoredChunk]:
    """Store (article id, chunk) pairs; returns them in the order given, with their ids.

    One multi-row INSERT: rows get their ids in the order given, as `replace_chunks` article
    by article would. Returned rows are matched back by (article, ordinal), which is unique,
    rather than asking for them in order (SQLAlchemy would then insert row by row on SQLite).
    """
    if not chunks:
        return []
    rows = session.execute(
        insert(_CHUNKS).returning(_CHUNKS.c.article_id, _CHUNKS.c.ordinal, _CHUNKS.c.id),
        [
            {
                "article_id": article_id,
                "ordinal": c.ordinal,
                "text": c.text,
                "embed_text": c.embed_text,
            }
            for article_id, c in chunks
        ],
    ).all()
    ids = {(int(article_id), int(ordinal)): int(chunk_id) for article_id, ordinal, chunk_id in rows}
    return [
        StoredChunk(
            id=ids[article_id, c.ordinal],
            article_id=article_id,
            ordinal=c.ordinal,
            text=c.text,
            embed_text=c.embed_text,
        )
        for article_id, c in chunks
    ]


def get_chunks(*, session: Session, ids: Iterable[int]) -> dict[int, StoredChunk]:
    """The stored chunks among `ids`, by id (unknown ids are left out)."""
    found: dict[int, StoredChunk] = {}
    for batch in batched(unique_ints(ids)):
        for row in session.execute(select(*_CHUNK_COLUMNS).where(ChunkRow.id.in_(batch))):
            chunk = _to_chunk(row)
            found[chunk.id] = chunk
    return found


def all_chunk_ids(*, session: Session) -> npt.NDArray[np.int64]:
    """Every chunk id, ascending (what the vector index should contain)."""
    ids = session.scalars(select(ChunkRow.id).order_by(ChunkRow.id)).all()
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


def chunk_count(*, session: Session) -> int:
    return session.scalar(select(func.count(ChunkRow.id))) or 0


def chunk_span(*, session: Session) -> tuple[int, int]:
    """(chunks stored, highest chunk id; 0 when none). Ids are never reused, so an update
    that keeps the count still raises the highest id."""
    count, highest = session.execute(select(func.count(ChunkRow.id), func.max(ChunkRow.id))).one()
    return int(count or 0), int(highest or 0)


def chunks_for_articles(*, session: Session, article_ids: Iterable[int]) -> list[StoredChunk]:
    """The chunks of these articles, ordered by article id then ordinal."""
    found: list[StoredChunk] = []
    for batch in batched(unique_ints(article_ids)):
        rows = session.execute(
            select(*_CHUNK_COLUMNS)
            .where(ChunkRow.article_id.in_(batch))
            .order_by(ChunkRow.article_id, ChunkRow.ordinal)
        )
        found.extend(_to_chunk(row) for row in rows)
    return found


def iter_chunks(
    *, session: Session, ids: Iterable[int] | None = None, batch: int = 1000
) -> Iterator[StoredChunk]:
    """Chunks in id order, read page by page (all of them, or those among `ids`)."""
    if ids is not None:
        for id_batch in batched(unique_ints(ids), min(batch, 500)):
            rows = session.execute(
                select(*_CHUNK_COLUMNS).where(ChunkRow.id.in_(id_batch)).order_by(ChunkRow.id)
            ).all()
            yield from (_to_chunk(row) for row in rows)
        return
    last_id = 0
    while True:
        rows = session.execute(
            select(*_CHUNK_COLUMNS).where(ChunkRow.id > last_id).order_by(ChunkRow.id).limit(batch)
        ).all()
        yield from (_to_chunk(row) for row in rows)
        if len(rows) < batch:
            return
        last_id = int(rows[-1][0])


def chunk_meta(*, session: Session, ids: Iterable[int] | None = None) -> ChunkMeta:
    """Columnar metadata (id, article, date, outlet, story) of all chunks, or of `ids`."""
    columns = select(
        ChunkRow.id,
        ChunkRow.article_id,
        ArticleRow.published_at,
        ArticleRow.source,
        func.coalesce(ArticleRow.story_id, ArticleRow.id),
    ).join(ArticleRow, ArticleRow.id == ChunkRow.article_id)
    if ids is None:
        rows = session.execute(columns.order_by(ChunkRow.id)).all()
    else:
        rows = []
        for batch in batched(unique_ints(ids)):
            rows.extend(session.execute(columns.where(ChunkRow.id.in_(batch))).all())
        rows.sort(key=lambda row: row[0])
    n = len(rows)
    return ChunkMeta(
        chunk_ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
        article_ids=np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
        published=np.fromiter(
            (r[2].timestamp() if r[2] is not None else math.nan for r in rows),
            dtype=np.float64,
            count=n,
        ),
        sources=tuple(r[3] for r in rows),
        story_ids=np.fromiter((r[4] for r in rows), dtype=np.int64, count=n),
    )


def chunk_owners(
    *, session: Session, article_ids: Iterable[int]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(chunk ids ascending, their article ids) of these articles, without the texts."""
    pairs: list[tuple[int, int]] = []
    for batch in batched(unique_ints(article_ids)):
        rows = session.execute(
            select(ChunkRow.id, ChunkRow.article_id).where(ChunkRow.article_id.in_(batch))
        )
        pairs.extend((int(chunk_id), int(article_id)) for chunk_id, article_id in rows)
    pairs.sort()
    ids = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    owners = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    return ids, owners
