"""Unmatched articles: recorded with the articles an ingest stores, cleared once matched,
and a database of revision 0001 upgraded with its articles counted as matched.

Runs on SQLite and, when NEWSBOT_TEST_POSTGRES_URL is set, on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import delete, text
from sqlalchemy.orm import Session, sessionmaker

from index.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    session_scope,
    upgrade_database,
)
from index.identity import article_key, content_hash
from index.ingest_batch import IngestTally, store_batch
from index.pipeline import IndexingConfig
from index.schema import ArticleRow
from index.store_unmatched import clear_unmatched, mark_unmatched, unmatched_after
from index.stories import LazyStories
from index.types import Article, StoredChunk

CONFIG = IndexingConfig(chunk_words=20, overlap_words=5)


def _article(slug: str, words: str, n: int = 30) -> Article:
    return Article(
        title=f"Report {slug}",
        body=" ".join(f"{words}{i}" for i in range(n)) + ".",
        source="Wire",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        url=f"https://wire.example/{slug}",
    )


def _store(
    sessions: sessionmaker[Session], articles: list[Article], *, unmatched: bool = True
) -> tuple[list[StoredChunk], list[int]]:
    chunks, _, changed = store_batch(
        sessions,
        articles,
        stories=LazyStories(),
        tally=IngestTally(),
        config=CONFIG,
        unmatched=unmatched,
    )
    return chunks, changed


def _unmatched(sessions: sessionmaker[Session]) -> list[int]:
    with session_scope(sessions) as session:
        return unmatched_after(session=session)


def _last(chunks: list[StoredChunk]) -> dict[int, int]:
    last: dict[int, int] = {}
    for chunk in chunks:
        last[chunk.article_id] = max(last.get(chunk.article_id, 0), chunk.id)
    return last


def test_new_and_updated_articles_are_unmatched_duplicates_are_not(
    session_factory: sessionmaker[Session],
) -> None:
    a, b = _article("a", "alpha"), _article("b", "beta")
    chunks, (a_id, b_id) = _store(session_factory, [a, b])
    assert _unmatched(session_factory) == [a_id, b_id]
    with session_scope(session_factory) as session:
        clear_unmatched(session=session, last_chunk=_last(chunks))
    assert _unmatched(session_factory) == []

    copy = replace(a, url="https://mirror.example/a")  # same text under another key
    b_updated = replace(b, body=b.body + " A correction.")
    _, changed = _store(session_factory, [a, copy, b_updated])
    assert changed == [b_id]
    assert _unmatched(session_factory) == [b_id]

    _, [c_id] = _store(session_factory, [_article("c", "gamma")], unmatched=False)
    assert c_id not in _unmatched(session_factory)  # no listener: nothing to match later


def test_an_article_updated_after_its_match_began_stays_unmatched(
    session_factory: sessionmaker[Session],
) -> None:
    article = _article("a", "alpha")
    first, [a_id] = _store(session_factory, [article])
    second, _ = _store(session_factory, [replace(article, body=article.body + " Updated.")])
    assert min(c.id for c in second) > max(c.id for c in first)
    with session_scope(session_factory) as session:
        mark_unmatched(session=session, article_ids=[a_id, a_id])  # twice: still one row
        clear_unmatched(session=session, last_chunk=_last(first))  # the old text's match
        clear_unmatched(session=session, last_chunk={a_id: 0})  # a match that saw no chunk
    assert _unmatched(session_factory) == [a_id]
    with session_scope(session_factory) as session:
        clear_unmatched(session=session, last_chunk=_last(second))
    assert _unmatched(session_factory) == []


def test_pages_of_unmatched_articles_and_deleted_articles(
    session_factory: sessionmaker[Session],
) -> None:
    _, ids = _store(session_factory, [_article(str(n), f"w{n}x") for n in range(5)])
    with session_scope(session_factory) as session:
        assert unmatched_after(session=session, limit=2) == ids[:2]
        assert unmatched_after(session=session, after=ids[1], limit=2) == ids[2:4]
        assert unmatched_after(session=session, after=ids[4]) == []
        session.execute(delete(ArticleRow).where(ArticleRow.id == ids[0]))
    assert _unmatched(session_factory) == ids[1:]  # the row went with its article


def test_a_database_at_revision_0001_upgrades_and_keeps_working(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0001")
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == "0001"
        old = _article("old", "delta")
        with engine.begin() as connection:  # an article stored by the code of revision 0001
            connection.execute(
                text(
                    "INSERT INTO articles (key, title, body, content_hash, created_at, "
                    "updated_at) VALUES (:key, :title, :body, :hash, :now, :now)"
                ),
                {
                    "key": article_key(old),
                    "title": old.title,
                    "body": old.body,
                    "hash": content_hash(old.title, old.body),
                    "now": datetime(2024, 5, 1),
                },
            )
        upgrade_database(engine)
        assert current_revision(engine) == head_revision()
        sessions = make_session_factory(engine)
        assert _unmatched(sessions) == []  # stored before: counted as matched

        _, [old_id, new_id] = _store(
            sessions, [replace(old, body=old.body + " Updated."), _article("new", "eta")]
        )
        assert _unmatched(sessions) == [old_id, new_id]
    finally:
        engine.dispose()
    command.downgrade(alembic_config(database_url), "0001")
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == "0001"
    finally:
        engine.dispose()
