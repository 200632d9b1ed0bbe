"""Stored chunks are embedded in groups across article batches, longest first, in slices."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.pipeline import Indexer, IndexingConfig, IngestProgress, NewChunks
from index.protocols import FloatMatrix
from index.types import Article


class RecordingEmbedder(HashingEmbedder):
    """Remembers every `embed` call; can fail on a chosen call (a crash mid-ingest)."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        super().__init__(dimension=32)
        self.calls: list[list[str]] = []
        self._fail_on_call = fail_on_call

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        self.calls.append(list(texts))
        if self._fail_on_call == len(self.calls):
            raise RuntimeError("the model process died")
        return super().embed(texts)


def _article(n: int, sentences: int, *, edit: str = "") -> Article:
    body = " ".join(
        f"{edit}Sentence {i} of story {n} is about harbour {n}." for i in range(sentences)
    )
    return Article(
        title=f"Story {n}",
        body=body,
        source="Example",
        published_at=datetime(2024, 3, 1 + n % 28, tzinfo=UTC),
        url=f"https://example.com/{n}",
    )


def _indexer(
    sessions: sessionmaker[Session], embedder: HashingEmbedder, path: Path, **config: int
) -> Indexer:
    indexer = Indexer(
        session_factory=sessions,
        embedder=embedder,
        index_dir=path,
        config=IndexingConfig(chunk_words=30, overlap_words=5, batch_articles=2, **config),
    )
    indexer.open()
    return indexer


def _db_chunks(sessions: sessionmaker[Session]) -> dict[int, str]:
    with session_scope(sessions) as session:
        return {c.id: c.embed_text for c in store.iter_chunks(session=session)}


def test_batches_are_embedded_together_longest_first_in_slices(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    embedder = RecordingEmbedder()
    indexer = _indexer(session_factory, embedder, tmp_path / "index", embed_slice=4)
    seen: list[IngestProgress] = []
    parts: list[NewChunks] = []
    articles = [_article(n, sentences=3 + 4 * n) for n in range(5)]
    # Story 1 comes again, edited, in the third batch: its first chunks were never embedded.
    edited = _article(1, sentences=7, edit="Edited: ")
    report = indexer.ingest([*articles, edited], progress=seen.append, on_chunks=parts.append)

    stored = _db_chunks(session_factory)
    embedded = [text for call in embedder.calls for text in call]
    assert sorted(embedded) == sorted(stored.values())  # once each, nothing since removed
    assert report.chunks_embedded == len(stored)
    assert [len(call) for call in embedder.calls[:-1]] == [4] * (len(embedder.calls) - 1)
    lengths = [len(text) for text in embedded]
    assert lengths == sorted(lengths, reverse=True)
    # One group: one alert part, with every chunk, its vectors and each changed article once.
    assert len(parts) == 1
    assert sorted(parts[0].chunk_ids.tolist()) == sorted(stored)
    assert parts[0].vectors.shape == (len(stored), 32)
    assert sorted(parts[0].article_ids) == sorted(set(parts[0].chunk_article_ids.tolist()))
    assert len(parts[0].article_ids) == 5
    np.testing.assert_allclose(
        parts[0].vectors, embedder.embed([stored[int(i)] for i in parts[0].chunk_ids])
    )
    assert set(indexer.pair.vectors.ids().tolist()) == set(stored)
    assert set(indexer.pair.keywords.ids().tolist()) == set(stored)
    # Progress: chunks wait while batches are stored, then drain slice by slice.
    assert max(p.chunks_pending for p in seen) > 0
    draining = [p for p in seen if p.chunks_embedded]
    assert {p.chunks_embedded + p.chunks_pending for p in draining} == {len(stored)}
    assert (seen[-1].chunks_embedded, seen[-1].chunks_pending) == (len(stored), 0)
    assert seen[-1].articles_seen == 6


def test_a_full_group_is_embedded_before_the_next_batch(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    embedder = RecordingEmbedder()
    indexer = _indexer(session_factory, embedder, tmp_path / "index", embed_chunks=3)
    parts: list[NewChunks] = []
    indexer.ingest([_article(n, sentences=12) for n in range(6)], on_chunks=parts.append)
    # Each batch of two articles makes more than three chunks: one group per batch.
    assert len(parts) == 3
    assert [len(p.article_ids) for p in parts] == [2, 2, 2]


def test_chunks_stored_but_not_embedded_are_embedded_on_the_next_open(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    failing = RecordingEmbedder(fail_on_call=1)
    indexer = _indexer(session_factory, failing, tmp_path / "index")
    with pytest.raises(RuntimeError, match="died"):
        indexer.ingest([_article(n, sentences=9) for n in range(5)])
    stored = _db_chunks(session_factory)
    assert stored  # committed before the embedding failed

    restarted = Indexer(
        session_factory=session_factory,
        embedder=RecordingEmbedder(),
        index_dir=tmp_path / "index",
    )
    report = restarted.open()
    assert report.added == len(stored)
    assert set(restarted.pair.vectors.ids().tolist()) == set(stored)
