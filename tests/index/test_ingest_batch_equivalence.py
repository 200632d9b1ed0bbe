"""`store_batch` writes in a few statements per batch what storing one by one would write.

The reference below is the one-article-at-a-time loop (`upsert_article`, `set_story`,
`replace_chunks`) that `store_batch` replaced. Both run the same batches on twin databases
of the same backend (SQLite, and PostgreSQL when configured); ids, stories, counts,
removed chunks and every stored row must agree.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from index import ingest_batch, store
from index.chunking import chunk_article
from index.db import make_engine, make_session_factory, session_scope, upgrade_database
from index.fingerprints import fingerprint
from index.identity import article_key, content_hash
from index.ingest_batch import IngestTally, store_batch
from index.parsing import iter_path
from index.pipeline import IndexingConfig
from index.stories import LazyStories
from index.types import Article, StoredChunk, UpsertStatus
from tests.conftest import postgres_schema

_SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "wikinews" / "articles.jsonl"
_CONFIG = IndexingConfig(chunk_words=60, overlap_words=10)

Outcome = tuple[list[StoredChunk], list[int], list[int]]


def _reference_batch(
    sessions: sessionmaker[Session],
    articles: Sequence[Article],
    *,
    stories: LazyStories,
    tally: IngestTally,
    config: IndexingConfig,
) -> Outcome:
    chunks: list[StoredChunk] = []
    removed: list[int] = []
    changed: list[int] = []
    with session_scope(sessions) as session:
        for article in articles:
            fp = fingerprint(article.body)
            result = store.upsert_article(
                session=session,
                article=article,
                key=article_key(article),
                content_hash=content_hash(article.title, article.body),
                fingerprint=fp,
            )
            if result.status is UpsertStatus.DUPLICATE:
                tally.duplicates += 1
                continue
            if result.status is UpsertStatus.NEW:
                tally.new += 1
                tally.new_ids.append(result.article_id)
            else:
                tally.updated += 1
            removed.extend(result.removed_chunk_ids)
            clusterer = stories.get(session)
            clusterer.remove(result.article_id)
            story = clusterer.find(fp, threshold=config.story_threshold)
            story_id = story if story is not None else result.article_id
            store.set_story(session=session, article_id=result.article_id, story_id=story_id)
            clusterer.add(result.article_id, story_id, fp)
            pieces = chunk_article(
                article, target_words=config.chunk_words, overlap_words=config.overlap_words
            )
            chunks.extend(
                store.replace_chunks(session=session, article_id=result.article_id, chunks=pieces)
            )
            changed.append(result.article_id)
    gone = set(removed)
    return [c for c in chunks if c.id not in gone], removed, list(dict.fromkeys(changed))


@pytest.fixture
def twin_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the same backend as `database_url`."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'twin' / 'newsbot.db'}"
        return
    with postgres_schema(os.environ["NEWSBOT_TEST_POSTGRES_URL"]) as url:
        yield url


@pytest.fixture
def twin_sessions(twin_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(twin_url)
    upgrade_database(engine)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


def _samples(n: int) -> list[Article]:
    found = [a for a in iter_path(_SAMPLES) if isinstance(a, Article)]
    return found[:n]


def _batches() -> list[list[Article]]:
    """Duplicates, updates, syndicated copies and repeated keys, within and across batches."""
    real = _samples(12)
    a, b, c, d, e, f, g, h = real[:8]
    copy_of_a = replace(a, title="Wire copy", url="https://wire.example/a", body="Wire. " + a.body)
    a_updated = replace(a, body=a.body + " An update was added later in the day.")
    no_url = replace(c, url=None)
    same_text_other_key = replace(c, url="https://mirror.example/c")
    e_fixed = replace(e, body="Correction. " + e.body)
    e_fixed_again = replace(e, body="Second correction. " + e.body)
    old_a_elsewhere = replace(a, url="https://archive.example/a")
    new_a_elsewhere = replace(a_updated, url="https://archive.example/a2")
    empty = Article(title="Only a title", body="", url="https://empty.example/x")
    return [
        [a, copy_of_a, no_url, same_text_other_key, a, e, e_fixed, f, f, b],
        [a_updated, copy_of_a, e_fixed_again, empty, no_url, old_a_elsewhere, g, e_fixed],
        [new_a_elsewhere, old_a_elsewhere, replace(g, body=g.body + " More."), h, d],
        [replace(b, url=None), replace(copy_of_a, body=a_updated.body), *real[8:12]],
    ]


def _dump(sessions: sessionmaker[Session]) -> tuple[list[tuple], list[tuple]]:
    with session_scope(sessions) as session:
        articles = session.execute(
            text(
                "SELECT id, key, title, body, source, published_at, url, language, "
                "content_hash, fingerprint, story_id FROM articles ORDER BY id"
            )
        ).all()
        chunks = session.execute(
            text("SELECT id, article_id, ordinal, text, embed_text FROM chunks ORDER BY id")
        ).all()
    return [tuple(r) for r in articles], [tuple(r) for r in chunks]


def test_batches_store_what_one_by_one_stores(
    session_factory: sessionmaker[Session], twin_sessions: sessionmaker[Session]
) -> None:
    fast_stories, slow_stories = LazyStories(), LazyStories()
    fast_tally, slow_tally = IngestTally(), IngestTally()
    for batch in _batches():
        fast = store_batch(
            session_factory, batch, stories=fast_stories, tally=fast_tally, config=_CONFIG
        )
        slow = _reference_batch(
            twin_sessions, batch, stories=slow_stories, tally=slow_tally, config=_CONFIG
        )
        assert fast == slow
    assert fast_tally == slow_tally
    # 15 new (one holding the old text of an updated article under a new key), 6 updated
    # (twice a key met again in the same batch), 8 duplicates by key or by content.
    assert (fast_tally.new, fast_tally.updated, fast_tally.duplicates) == (15, 6, 8)
    articles, chunks = _dump(session_factory)
    assert (articles, chunks) == _dump(twin_sessions)
    stories = {row[1]: row[10] for row in articles}
    assert stories["https://wire.example/a"] == stories[article_key(_samples(1)[0])]


def test_a_key_stored_meanwhile_by_another_writer_is_decided_again(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _samples(2)
    stories, tally = LazyStories(), IngestTally()
    old_chunks, _, _ = store_batch(
        session_factory, [first], stories=stories, tally=tally, config=_CONFIG
    )
    # The batch look-ups miss what "another writer" stored: the insert skips the key.
    monkeypatch.setattr(ingest_batch, "ids_by_key", lambda *, session, keys: {})
    monkeypatch.setattr(ingest_batch, "ids_by_content_hash", lambda *, session, hashes: {})

    again = IngestTally()
    chunks, removed, changed = store_batch(
        session_factory, [first, second], stories=stories, tally=again, config=_CONFIG
    )
    assert (again.new, again.updated, again.duplicates) == (1, 0, 1)
    assert removed == []
    assert changed == again.new_ids
    assert {c.article_id for c in chunks} == set(again.new_ids)

    edited = replace(first, body=first.body + " Edited.")
    final = IngestTally()
    chunks, removed, changed = store_batch(
        session_factory, [edited], stories=stories, tally=final, config=_CONFIG
    )
    assert (final.new, final.updated, final.duplicates) == (0, 1, 0)
    assert removed == [c.id for c in old_chunks]
    assert changed == [old_chunks[0].article_id]
    with session_scope(session_factory) as session:
        stored = store.chunks_for_articles(session=session, article_ids=changed)
    assert [c.id for c in stored] == [c.id for c in chunks]
