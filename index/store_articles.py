"""Articles: insert-or-update by identity key, story clusters, listings and corpus stats.

The batch look-ups by key and content hash are in `index/store_article_lookups.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from index.schema import ArticleRow, ChunkRow
from index.store_chunks import delete_chunks_of
from index.store_common import (
    as_utc,
    batched,
    insert_or_ignore,
    insert_or_ignore_many,
    stamp,
    unique_ints,
)
from index.types import Article, CorpusStats, StoredArticle, UpsertResult, UpsertStatus

_ARTICLES = ArticleRow.__table__


def _to_article(row: ArticleRow) -> StoredArticle:
    return StoredArticle(
        id=row.id,
        key=row.key,
        title=row.title,
        body=row.body,
        source=row.source,
        published_at=row.published_at,
        url=row.url,
        language=row.language,
        content_hash=row.content_hash,
        story_id=row.story_id,
    )


def _fields(article: Article, content_hash: str, fingerprint: bytes | None) -> dict[str, object]:
    return {
        "title": article.title,
        "body": article.body,
        "source": article.source,
        "published_at": as_utc(article.published_at) if article.published_at else None,
        "url": article.url,
        "language": article.language,
        "content_hash": content_hash,
        "fingerprint": fingerprint,
    }


def upsert_article(
    *,
    session: Session,
    article: Article,
    key: str,
    content_hash: str,
    fingerprint: bytes | None,
    now: datetime | None = None,
) -> UpsertResult:
    """Store an article under its identity `key`.

    Same key and hash: DUPLICATE. Same key, new hash: UPDATED (fields replaced, chunks
    deleted, their ids returned: the caller adds new chunks and drops the old vectors).
    Unknown key whose content is already stored under another key: DUPLICATE of that one.
    Otherwise NEW (story_id left empty for the caller's near-duplicate pass).
    """
    now = stamp(now)
    fields = _fields(article, content_hash, fingerprint)
    for _attempt in range(2):
        existing = session.execute(
            select(ArticleRow.id, ArticleRow.content_hash).where(ArticleRow.key == key)
        ).first()
        if existing is not None:
            article_id, stored_hash = existing
            if stored_hash == content_hash:
                return UpsertResult(UpsertStatus.DUPLICATE, article_id)
            removed = delete_chunks_of(session=session, article_ids=[article_id]).get(
                article_id, []
            )
            session.execute(
                update(ArticleRow)
                .where(ArticleRow.id == article_id)
                .values(**fields, updated_at=now)
            )
            return UpsertResult(UpsertStatus.UPDATED, article_id, tuple(removed))

        same_content = session.scalar(
            select(ArticleRow.id)
            .where(ArticleRow.content_hash == content_hash)
            .order_by(ArticleRow.id)
            .limit(1)
        )
        if same_content is not None:
            return UpsertResult(UpsertStatus.DUPLICATE, same_content)

        new_id = insert_or_ignore(
            session,
            _ARTICLES,
            {**fields, "key": key, "created_at": now, "updated_at": now},
            conflict=("key",),
        )
        if new_id is not None:
            return UpsertResult(UpsertStatus.NEW, new_id)
        # Another writer stored this key between our look-up and insert: decide again.
    raise RuntimeError(f"article key {key!r} is neither insertable nor found")


def set_story(*, session: Session, article_id: int, story_id: int) -> None:
    """Put an article in a near-duplicate cluster (story id = id of the story's first article)."""
    set_stories(session=session, stories=[(article_id, story_id)])


@dataclass(frozen=True)
class ArticleWrite:
    """An article with its identity, ready to insert or to replace a stored one's fields."""

    article: Article
    key: str
    content_hash: str
    fingerprint: bytes


# -- batch writes: the ingest hot path (`index/ingest_batch.py`), a few statements per batch


def insert_articles(
    *, session: Session, writes: Sequence[ArticleWrite], now: datetime | None = None
) -> dict[str, int]:
    """Insert new articles (story_id empty) in one statement; the new ids by key.

    A key another writer stored meanwhile is skipped and missing from the result: the
    caller decides again for it (`upsert_article`).
    """
    now = stamp(now)
    rows = [
        {
            **_fields(w.article, w.content_hash, w.fingerprint),
            "key": w.key,
            "created_at": now,
            "updated_at": now,
        }
        for w in writes
    ]
    return insert_or_ignore_many(session, _ARTICLES, rows, conflict="key")


def update_articles(
    *, session: Session, updates: Sequence[tuple[int, ArticleWrite]], now: datetime | None = None
) -> None:
    """Replace the fields of stored articles (by id) with new text; chunks are the caller's."""
    if not updates:
        return
    now = stamp(now)
    columns = list(_fields(updates[0][1].article, "", None))
    stmt = (
        update(_ARTICLES)
        .where(_ARTICLES.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in [*columns, "updated_at"]})
    )
    session.execute(
        stmt,
        [
            {
                "row_id": article_id,
                "new_updated_at": now,
                **{
                    f"new_{name}": value
                    for name, value in _fields(w.article, w.content_hash, w.fingerprint).items()
                },
            }
            for article_id, w in updates
        ],
    )


def set_stories(*, session: Session, stories: Sequence[tuple[int, int]]) -> None:
    """`set_story` for many (article id, story id) pairs in one executemany."""
    if not stories:
        return
    stmt = (
        update(_ARTICLES)
        .where(_ARTICLES.c.id == bindparam("row_id"))
        .values(story_id=bindparam("new_story_id"))
    )
    session.execute(stmt, [{"row_id": a, "new_story_id": s} for a, s in stories])


def get_articles(*, session: Session, ids: Iterable[int]) -> dict[int, StoredArticle]:
    """The stored articles among `ids`, by id (unknown ids are left out)."""
    found: dict[int, StoredArticle] = {}
    for batch in batched(unique_ints(ids)):
        for row in session.scalars(select(ArticleRow).where(ArticleRow.id.in_(batch))):
            found[row.id] = _to_article(row)
    return found


def get_article_by_key(*, session: Session, key: str) -> StoredArticle | None:
    row = session.scalars(select(ArticleRow).where(ArticleRow.key == key)).first()
    return None if row is None else _to_article(row)


def get_articles_by_key(*, session: Session, keys: Iterable[str]) -> dict[str, StoredArticle]:
    """The stored articles among identity `keys`, by key (unknown keys are left out)."""
    found: dict[str, StoredArticle] = {}
    for batch in batched(sorted(set(keys))):
        for row in session.scalars(select(ArticleRow).where(ArticleRow.key.in_(batch))):
            found[row.key] = _to_article(row)
    return found


def iter_fingerprints(
    *, session: Session, batch: int = 1000
) -> Iterator[tuple[int, int | None, bytes]]:
    """(article id, story id, fingerprint) of every fingerprinted article, by id.

    Read in pages by id, so no cursor stays open while the caller writes between pages.
    """
    last_id = 0
    while True:
        rows = session.execute(
            select(ArticleRow.id, ArticleRow.story_id, ArticleRow.fingerprint)
            .where(ArticleRow.id > last_id, ArticleRow.fingerprint.is_not(None))
            .order_by(ArticleRow.id)
            .limit(batch)
        ).all()
        for article_id, story_id, fingerprint in rows:
            yield article_id, story_id, bytes(fingerprint)
        if len(rows) < batch:
            return
        last_id = rows[-1][0]


def latest_articles(
    *, session: Session, limit: int, source: str | None = None
) -> list[StoredArticle]:
    """Newest published first, undated last; `source` matches the outlet case-insensitively."""
    stmt = select(ArticleRow)
    if source is not None:
        stmt = stmt.where(func.lower(ArticleRow.source) == source.lower())
    stmt = stmt.order_by(
        ArticleRow.published_at.is_(None), ArticleRow.published_at.desc(), ArticleRow.id.desc()
    ).limit(limit)
    return [_to_article(row) for row in session.scalars(stmt)]


def corpus_stats(*, session: Session) -> CorpusStats:
    articles, stories, first, last = session.execute(
        select(
            func.count(ArticleRow.id),
            func.count(func.distinct(func.coalesce(ArticleRow.story_id, ArticleRow.id))),
            func.min(ArticleRow.published_at),
            func.max(ArticleRow.published_at),
        )
    ).one()
    chunks = session.scalar(select(func.count(ChunkRow.id))) or 0
    count = func.count(ArticleRow.id)
    per_source = session.execute(
        select(ArticleRow.source, count)
        .where(ArticleRow.source.is_not(None))
        .group_by(ArticleRow.source)
        .order_by(count.desc(), ArticleRow.source)
    ).all()
    return CorpusStats(
        articles=articles,
        chunks=chunks,
        stories=stories,
        per_source=tuple((name, n) for name, n in per_source),
        first_published=first,
        last_published=last,
    )
