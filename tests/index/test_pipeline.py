"""The indexer end to end on a real database and real FAISS/BM25 indexes (fake embedder)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.errors import IndexMismatchError
from index.pipeline import Indexer, IndexingConfig, IngestProgress, NewChunks
from index.snapshot_io import load_pair
from index.types import Article, ParseFailure

LONG_BODY = " ".join(
    f"Paragraph sentence number {i} talks about the harbour, the ferry and the weather."
    for i in range(60)
)


def _article(n: int, *, url: str | None = None, body: str | None = None) -> Article:
    return Article(
        title=f"Story {n} about topic {n}",
        body=body or f"Unique body text number {n}. " + LONG_BODY.replace("harbour", f"port{n}"),
        source="Example News",
        published_at=datetime(2024, 1, n % 28 + 1, tzinfo=UTC),
        url=url,
    )


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=64)


def _indexer(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, index_dir: Path
) -> Indexer:
    indexer = Indexer(
        session_factory=session_factory,
        embedder=embedder,
        index_dir=index_dir,
        config=IndexingConfig(batch_articles=3),
    )
    indexer.open()
    return indexer


def _db_chunk_ids(session_factory: sessionmaker[Session]) -> np.ndarray:
    with session_scope(session_factory) as session:
        return store.all_chunk_ids(session=session)


def test_ingest_stores_chunks_and_indexes_every_chunk(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    indexer = _indexer(session_factory, embedder, tmp_path / "index")
    seen: list[IngestProgress] = []
    collected: list[NewChunks] = []
    report = indexer.ingest(
        [_article(i, url=f"https://example.com/{i}") for i in range(7)]
        + [ParseFailure(name="bad.txt", reason="no body text")],
        progress=seen.append,
        on_chunks=collected.append,
    )
    assert (report.new, report.updated, report.duplicates) == (7, 0, 0)
    assert [f.name for f in report.failures] == ["bad.txt"]
    db_ids = _db_chunk_ids(session_factory)
    assert db_ids.size == report.chunks_embedded > 7  # long bodies make several chunks
    # The saved snapshot holds exactly the database's chunks, in both indexes.
    pair = load_pair(tmp_path / "index", model_name=embedder.model_name, dimension=64)
    assert pair is not None
    assert np.array_equal(np.sort(pair.vectors.ids()), np.sort(db_ids))
    assert np.array_equal(np.sort(pair.keywords.ids()), np.sort(db_ids))
    assert seen[-1].articles_seen == 8
    assert sorted(np.concatenate([c.chunk_ids for c in collected]).tolist()) == db_ids.tolist()
    assert all(c.vectors.shape == (c.chunk_ids.size, 64) for c in collected)


def test_same_article_twice_is_stored_once(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    indexer = _indexer(session_factory, embedder, tmp_path / "index")
    first = indexer.ingest([_article(1, url="https://example.com/a?utm_source=x")])
    before = _db_chunk_ids(session_factory)
    # Same URL once normalised; and the same text without a URL at all.
    again = indexer.ingest([_article(1, url="https://www.example.com/a"), _article(1)])
    assert first.new == 1
    assert (again.new, again.updated, again.duplicates) == (0, 0, 2)
    assert np.array_equal(_db_chunk_ids(session_factory), before)
    assert len(indexer.pair.vectors) == before.size


def test_updated_article_replaces_its_chunks_and_vectors(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    indexer = _indexer(session_factory, embedder, tmp_path / "index")
    indexer.ingest([_article(1, url="https://example.com/a")])
    old_ids = set(_db_chunk_ids(session_factory).tolist())
    report = indexer.ingest([_article(1, url="https://example.com/a", body="Corrected text. " * 5)])
    assert report.updated == 1
    new_ids = set(_db_chunk_ids(session_factory).tolist())
    assert not old_ids & new_ids
    assert set(indexer.pair.vectors.ids().tolist()) == new_ids
    assert set(indexer.pair.keywords.ids().tolist()) == new_ids


def test_an_address_met_again_in_one_run_is_a_duplicate(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    # Two texts under one address in one run: the first is kept, the second skipped (they
    # would otherwise replace each other on every run). tests/index/test_ingest_keys_ops.py
    indexer = _indexer(session_factory, embedder, tmp_path / "index")
    collected: list[NewChunks] = []
    first = _article(1, url="https://example.com/a")
    report = indexer.ingest(
        [first, _article(1, url="https://example.com/a/", body="Corrected text. " * 5)],
        on_chunks=collected.append,
    )
    assert (report.new, report.updated, report.duplicates) == (1, 0, 1)
    db_ids = set(_db_chunk_ids(session_factory).tolist())
    assert set(indexer.pair.vectors.ids().tolist()) == db_ids
    assert set(indexer.pair.keywords.ids().tolist()) == db_ids
    assert {int(i) for c in collected for i in c.chunk_ids} == db_ids
    assert [c.article_ids for c in collected] == [(report.new_article_ids[0],)]
    with session_scope(session_factory) as session:
        [stored] = store.get_articles(session=session, ids=list(report.new_article_ids)).values()
    assert stored.body == first.body


def test_syndicated_copies_share_a_story(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    indexer = _indexer(session_factory, embedder, tmp_path / "index")
    original = _article(1, url="https://one.example/story")
    copy = Article(
        title="Another outlet's headline",
        body="Reported by Wire Service. " + original.body,
        source="Other Outlet",
        url="https://two.example/copy",
    )
    unrelated = Article(
        title="Budget vote",
        body=" ".join(f"Lawmakers debated clause {i} of the budget bill today." for i in range(40)),
        url="https://one.example/other",
    )
    report = indexer.ingest([original, copy, unrelated])
    assert report.new == 3
    with session_scope(session_factory) as session:
        articles = store.get_articles(session=session, ids=list(report.new_article_ids))
    stories = [articles[i].story_id for i in report.new_article_ids]
    assert stories[0] == stories[1] != stories[2]


def test_open_repairs_index_from_the_database(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    indexer = _indexer(session_factory, embedder, index_dir)
    indexer.ingest([_article(i, url=f"https://example.com/{i}") for i in range(3)])
    db_ids = _db_chunk_ids(session_factory)
    # A crash after the database commit but before the snapshot: vectors are missing.
    # And a vector whose chunk is gone (deleted elsewhere) is an orphan.
    damaged = indexer.pair
    damaged.vectors.remove(db_ids[:4])
    damaged.keywords.remove(db_ids[:2])
    damaged.vectors.add(np.array([999_999], dtype=np.int64), embedder.embed(["orphan"]))
    indexer.save()

    repaired = Indexer(session_factory=session_factory, embedder=embedder, index_dir=index_dir)
    report = repaired.open()
    assert report.added == 4
    assert report.removed == 1
    assert np.array_equal(np.sort(repaired.pair.vectors.ids()), db_ids)
    assert np.array_equal(np.sort(repaired.pair.keywords.ids()), db_ids)


def test_index_of_another_model_is_refused(
    session_factory: sessionmaker[Session], embedder: HashingEmbedder, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    _indexer(session_factory, embedder, index_dir).ingest([_article(1)])
    other = HashingEmbedder(dimension=64, model_name="another-model")
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        Indexer(session_factory=session_factory, embedder=other, index_dir=index_dir).open()
    # A full rebuild with the new model replaces the index and opens cleanly afterwards.
    rebuilt = Indexer(session_factory=session_factory, embedder=other, index_dir=index_dir)
    assert rebuilt.rebuild() == _db_chunk_ids(session_factory).size
    assert Indexer(session_factory=session_factory, embedder=other, index_dir=index_dir).open()
