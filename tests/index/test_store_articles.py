"""Articles and chunks in the store."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from sqlalchemy.orm import Session

from index import store
from index.types import Article, ChunkText, UpsertStatus

T0 = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)


def _article(title: str = "Storm hits coast", body: str = "Heavy rain fell.", **kw) -> Article:
    defaults = {"source": "CNN", "published_at": T0, "url": f"https://news.example/{title}"}
    return Article(title=title, body=body, **{**defaults, **kw})


def _upsert(session: Session, article: Article, key: str | None = None, content_hash: str = "h1"):
    return store.upsert_article(
        session=session,
        article=article,
        key=key or article.url or f"sha256:{content_hash}",
        content_hash=content_hash,
        fingerprint=b"\x01\x02" + content_hash.encode(),
    )


def _chunks(*texts: str) -> list[ChunkText]:
    return [ChunkText(ordinal=i, text=t, embed_text=f"Title | {t}") for i, t in enumerate(texts)]


def test_upsert_new_then_duplicate(session: Session) -> None:
    first = _upsert(session, _article())
    again = _upsert(session, _article())
    assert first.status is UpsertStatus.NEW
    assert again.status is UpsertStatus.DUPLICATE
    assert again.article_id == first.article_id
    stored = store.get_articles(session=session, ids=[first.article_id])[first.article_id]
    assert stored.title == "Storm hits coast"
    assert stored.key == "https://news.example/Storm hits coast"
    assert stored.published_at == T0
    assert stored.story_id is None


def test_upsert_same_key_new_text_updates_and_drops_chunks(session: Session) -> None:
    first = _upsert(session, _article())
    old = store.replace_chunks(
        session=session, article_id=first.article_id, chunks=_chunks("a", "b")
    )
    updated = _upsert(session, _article(body="Rain, then floods."), content_hash="h2")
    assert updated.status is UpsertStatus.UPDATED
    assert updated.article_id == first.article_id
    assert updated.removed_chunk_ids == tuple(c.id for c in old)
    assert store.chunks_for_articles(session=session, article_ids=[first.article_id]) == []
    stored = store.get_articles(session=session, ids=[first.article_id])[first.article_id]
    assert (stored.body, stored.content_hash) == ("Rain, then floods.", "h2")


def test_same_content_under_another_url_is_a_duplicate(session: Session) -> None:
    first = _upsert(session, _article(url="https://a.example/1"))
    copy = _upsert(session, _article(url="https://b.example/9"))
    assert copy.status is UpsertStatus.DUPLICATE
    assert copy.article_id == first.article_id
    other = _upsert(session, _article(url="https://b.example/9"), content_hash="h3")
    assert other.status is UpsertStatus.NEW
    assert other.article_id != first.article_id


def test_naive_and_foreign_dates_are_stored_as_utc(session: Session) -> None:
    seoul = timezone(timedelta(hours=9))
    result = _upsert(session, _article(published_at=datetime(2024, 10, 2, 9, 0, tzinfo=seoul)))
    stored = store.get_articles(session=session, ids=[result.article_id])[result.article_id]
    assert stored.published_at == datetime(2024, 10, 2, 0, 0, tzinfo=UTC)
    assert stored.published_at.tzinfo is UTC


def test_get_articles_ignores_unknown_ids(session: Session) -> None:
    ids = [_upsert(session, _article(f"t{i}"), content_hash=f"h{i}").article_id for i in range(3)]
    found = store.get_articles(session=session, ids=[*ids, 9999])
    assert sorted(found) == sorted(ids)
    assert store.get_article_by_key(session=session, key="https://news.example/t1").id == ids[1]
    assert store.get_article_by_key(session=session, key="nope") is None


def test_stories_and_fingerprints(session: Session) -> None:
    a = _upsert(session, _article("a"), content_hash="ha").article_id
    b = _upsert(session, _article("b"), content_hash="hb").article_id
    store.upsert_article(
        session=session, article=_article("c"), key="c", content_hash="hc", fingerprint=None
    )
    store.set_story(session=session, article_id=a, story_id=a)
    store.set_story(session=session, article_id=b, story_id=a)
    got = list(store.iter_fingerprints(session=session, batch=1))
    assert got == [(a, a, b"\x01\x02ha"), (b, a, b"\x01\x02hb")]
    assert store.get_articles(session=session, ids=[b])[b].story_id == a


def test_latest_articles_newest_first_undated_last(session: Session) -> None:
    old = _upsert(session, _article("old", published_at=T0 - timedelta(days=2)), content_hash="1")
    undated = _upsert(session, _article("undated", published_at=None), content_hash="2")
    new = _upsert(session, _article("new", source="BBC"), content_hash="3")
    latest = store.latest_articles(session=session, limit=10)
    assert [a.id for a in latest] == [new.article_id, old.article_id, undated.article_id]
    assert [a.title for a in store.latest_articles(session=session, limit=1)] == ["new"]
    cnn = store.latest_articles(session=session, limit=10, source="cnn")
    assert [a.id for a in cnn] == [old.article_id, undated.article_id]


def test_corpus_stats(session: Session) -> None:
    empty = store.corpus_stats(session=session)
    assert (empty.articles, empty.chunks, empty.first_published) == (0, 0, None)
    a = _upsert(session, _article("a", published_at=T0 - timedelta(days=1)), content_hash="1")
    b = _upsert(session, _article("b", source="BBC"), content_hash="2")
    c = _upsert(session, _article("c", published_at=None), content_hash="3")
    store.set_story(session=session, article_id=c.article_id, story_id=a.article_id)
    store.replace_chunks(session=session, article_id=b.article_id, chunks=_chunks("x", "y", "z"))
    stats = store.corpus_stats(session=session)
    assert (stats.articles, stats.chunks, stats.stories) == (3, 3, 2)
    assert stats.per_source == (("CNN", 2), ("BBC", 1))
    assert stats.first_published == T0 - timedelta(days=1)
    assert stats.last_published == T0


def test_replace_chunks_returns_new_ids(session: Session) -> None:
    article_id = _upsert(session, _article()).article_id
    first = store.replace_chunks(session=session, article_id=article_id, chunks=_chunks("a", "b"))
    assert [c.ordinal for c in first] == [0, 1]
    assert [c.text for c in first] == ["a", "b"]
    assert first[1].embed_text == "Title | b"
    second = store.replace_chunks(session=session, article_id=article_id, chunks=_chunks("c"))
    assert second[0].id > max(c.id for c in first)  # vector ids are never reused
    assert store.get_chunks(session=session, ids=[c.id for c in first]) == {}
    assert store.get_chunks(session=session, ids=[second[0].id]) == {second[0].id: second[0]}
    assert store.replace_chunks(session=session, article_id=article_id, chunks=[]) == []
    assert store.chunk_count(session=session) == 0


def test_chunk_listings(session: Session) -> None:
    a = _upsert(session, _article("a"), content_hash="1").article_id
    b = _upsert(session, _article("b"), content_hash="2").article_id
    chunks_b = store.replace_chunks(session=session, article_id=b, chunks=_chunks("b0", "b1"))
    chunks_a = store.replace_chunks(session=session, article_id=a, chunks=_chunks("a0", "a1", "a2"))
    every = sorted(c.id for c in chunks_a + chunks_b)
    ids = store.all_chunk_ids(session=session)
    assert ids.dtype == np.int64
    assert ids.tolist() == every
    listed = store.chunks_for_articles(session=session, article_ids=[b, a])
    assert [c.text for c in listed] == ["a0", "a1", "a2", "b0", "b1"]
    assert [c.id for c in store.iter_chunks(session=session, batch=2)] == every
    some = [chunks_a[2].id, chunks_b[0].id]
    assert [c.id for c in store.iter_chunks(session=session, ids=some)] == sorted(some)


def test_chunk_meta_columns(session: Session) -> None:
    dated = _upsert(session, _article("a"), content_hash="1").article_id
    undated = _upsert(session, _article("b", source=None, published_at=None), content_hash="2")
    store.set_story(session=session, article_id=dated, story_id=dated)
    first = store.replace_chunks(session=session, article_id=dated, chunks=_chunks("x", "y"))
    last = store.replace_chunks(session=session, article_id=undated.article_id, chunks=_chunks("z"))
    meta = store.chunk_meta(session=session)
    assert len(meta) == 3
    assert meta.chunk_ids.tolist() == [first[0].id, first[1].id, last[0].id]
    assert meta.article_ids.tolist() == [dated, dated, undated.article_id]
    assert meta.published[:2].tolist() == [T0.timestamp()] * 2
    assert math.isnan(meta.published[2])
    assert meta.sources == ("CNN", "CNN", None)
    # No story yet: the article is its own story.
    assert meta.story_ids.tolist() == [dated, dated, undated.article_id]
    only = store.chunk_meta(session=session, ids=[last[0].id, 12345])
    assert only.chunk_ids.tolist() == [last[0].id]


@pytest.mark.parametrize("n_articles", [300])
def test_chunk_meta_of_many_chunks(session: Session, n_articles: int) -> None:
    for i in range(n_articles):
        result = _upsert(session, _article(f"n{i}"), content_hash=f"h{i}")
        store.replace_chunks(
            session=session, article_id=result.article_id, chunks=_chunks(*"abcdefghij")
        )
    meta = store.chunk_meta(session=session)
    assert len(meta) == n_articles * 10
    assert np.all(np.diff(meta.chunk_ids) > 0)
    assert store.get_chunks(session=session, ids=meta.chunk_ids.tolist()).keys() == set(
        meta.chunk_ids.tolist()
    )
