"""Unmatched articles: stored new or with new text, their alerts not matched yet.

An ingest that has a listener for its new chunks (the alert matcher) records its new and
updated articles here in the transaction that stores them (`index/ingest_batch.py`); the
matcher removes them in the transaction that queues their alerts. A crash in between
leaves them here for the next run to match: matching is at least once per article
version, and the unique (chat, story) deliveries keep a second match harmless.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import and_, bindparam, delete, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from index.schema import ArticleRow, ChunkRow, UnmatchedArticleRow
from index.store_common import batched, unique_ints

_UNMATCHED = UnmatchedArticleRow.__table__
_U = _UNMATCHED.c
_C = ChunkRow.__table__.c


def mark_unmatched(*, session: Session, article_ids: Iterable[int]) -> None:
    """Record these articles as waiting for the alert matcher (already waiting: no-op)."""
    ids = unique_ints(article_ids)
    dialect = session.get_bind().dialect.name
    for batch in batched(ids):
        if dialect in ("sqlite", "postgresql"):
            module = sqlite if dialect == "sqlite" else postgresql
            stmt = module.insert(_UNMATCHED).on_conflict_do_nothing(index_elements=["article_id"])
            session.execute(stmt, [{"article_id": i} for i in batch])
            continue
        present = set(session.scalars(select(_U.article_id).where(_U.article_id.in_(batch))))
        rows = [{"article_id": i} for i in batch if i not in present]
        if rows:
            session.execute(insert(_UNMATCHED), rows)


def unmatched_after(*, session: Session, after: int = 0, limit: int = 500) -> list[int]:
    """Up to `limit` ids of unmatched articles above `after`, ascending (a page)."""
    return [
        int(i)
        for i in session.scalars(
            select(_U.article_id).where(_U.article_id > after).order_by(_U.article_id).limit(limit)
        )
    ]


def clear_unmatched(*, session: Session, last_chunk: Mapping[int, int]) -> None:
    """Mark articles as matched: article id -> the highest chunk id the match saw of it
    (0 when it had none). An article holding a newer chunk was updated since that match
    (chunk ids only grow): it stays unmatched, for its new text."""
    if not last_chunk:
        return
    newer = exists().where(and_(_C.article_id == bindparam("done_id"), _C.id > bindparam("top")))
    stmt = delete(_UNMATCHED).where(_U.article_id == bindparam("done_id"), ~newer)
    rows = [{"done_id": int(a), "top": int(t)} for a, t in sorted(last_chunk.items())]
    for batch in batched(rows):
        # Wait for an ingest updating these articles to commit (it holds their rows), so
        # that the DELETE's snapshot sees its new chunks (PostgreSQL, read committed).
        ids = [row["done_id"] for row in batch]
        locked = select(ArticleRow.id).where(ArticleRow.id.in_(ids)).order_by(ArticleRow.id)
        session.execute(locked.with_for_update(read=True)).all()
        session.execute(stmt, batch)
