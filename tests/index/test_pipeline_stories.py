"""Story clustering across ingest passes: loaded only when needed, same clusters as before."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.pipeline import Indexer, IndexingConfig
from index.types import Article

BODY = " ".join(
    f"Sentence {i} tells how the harbour authority closed the ferry route in the storm."
    for i in range(50)
)


def _original() -> Article:
    return Article(title="Ferry route closed", body=BODY, source="One", url="https://one.example/a")


def _copy() -> Article:
    return Article(
        title="Storm shuts ferries",
        body="Reported by Wire Service. " + BODY,
        source="Two",
        url="https://two.example/b",
    )


def _unrelated(n: int) -> Article:
    body = " ".join(f"Lawmakers debated clause {i} of budget bill {n} today." for i in range(40))
    return Article(title=f"Budget vote {n}", body=body, url=f"https://one.example/budget-{n}")


@pytest.fixture
def indexer(session_factory: sessionmaker[Session], tmp_path: Path) -> Indexer:
    built = Indexer(
        session_factory=session_factory,
        embedder=HashingEmbedder(dimension=32),
        index_dir=tmp_path / "index",
        config=IndexingConfig(batch_articles=2),
    )
    built.open()
    return built


@pytest.fixture
def fingerprint_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts full reads of the stored fingerprints (the real function still runs)."""
    reads: list[int] = []
    real = store.iter_fingerprints

    def counting(*, session: Session, batch: int = 1000) -> Iterator[tuple[int, int | None, bytes]]:
        reads.append(1)
        return real(session=session, batch=batch)

    monkeypatch.setattr(store, "iter_fingerprints", counting)
    return reads


def _story_of(session_factory: sessionmaker[Session], article_ids: tuple[int, ...]) -> list:
    with session_scope(session_factory) as session:
        articles = store.get_articles(session=session, ids=list(article_ids))
    return [articles[i].story_id for i in article_ids]


def test_a_pass_of_known_articles_reads_no_fingerprints(
    indexer: Indexer, fingerprint_reads: list[int]
) -> None:
    indexer.ingest([_original(), _unrelated(1), _unrelated(2)])
    assert len(fingerprint_reads) == 1  # once per pass, not once per batch

    again = indexer.ingest([_original(), _unrelated(1), _unrelated(2)])

    assert again.duplicates == 3
    assert len(fingerprint_reads) == 1


def test_copy_arriving_after_known_articles_joins_the_original_story(
    indexer: Indexer, session_factory: sessionmaker[Session], fingerprint_reads: list[int]
) -> None:
    first = indexer.ingest([_original()])
    # Two batches of known articles first, then the copy and a new unrelated article.
    later = indexer.ingest([_original(), _original(), _original(), _copy(), _unrelated(3)])

    assert (later.new, later.duplicates) == (2, 3)
    original_story = _story_of(session_factory, first.new_article_ids)[0]
    copy_story, unrelated_story = _story_of(session_factory, later.new_article_ids)
    assert copy_story == original_story
    # A new article never matches its own freshly stored row.
    assert unrelated_story == later.new_article_ids[1]
    assert len(fingerprint_reads) == 2


def test_updated_article_is_clustered_on_its_new_text(
    indexer: Indexer, session_factory: sessionmaker[Session]
) -> None:
    unrelated = indexer.ingest([_unrelated(4)]).new_article_ids[0]
    original = indexer.ingest([_original()]).new_article_ids[0]
    # The unrelated article's page now carries the ferry story: it joins that story.
    rewritten = Article(title="Budget vote 4", body=_copy().body, url=_unrelated(4).url)
    report = indexer.ingest([rewritten])

    assert report.updated == 1
    assert _story_of(session_factory, (unrelated, original)) == [original, original]


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collection_is_left_as_it_was(indexer: Indexer, enabled: bool) -> None:
    indexer.ingest([_original()])
    (gc.enable if enabled else gc.disable)()
    try:
        indexer.ingest([_copy()])
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
