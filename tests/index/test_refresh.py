"""Refreshing sources end to end: a local news site, a real database, real FAISS/BM25."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.errors import FetchError, IndexMismatchError, ParseError
from index.fetch import FetchPolicy
from index.identity import normalize_url
from index.indexing_types import merge_new_chunks
from index.pipeline import Indexer, IndexingConfig, NewChunks
from index.refresh import RefreshBusyError, RefreshCancelled, refresh_lock, refresh_sources
from index.refresh_report import (
    DONE,
    FETCHING,
    INDEXING,
    REEMBEDDING,
    RefreshProgress,
    RefreshReport,
    estimate_eta,
)
from index.snapshot_io import load_pair
from index.source_fetch import detect_source
from index.types import SourceRecord
from tests.news_site import FETCH_TIMEOUT, NewsSite, story

LOCAL = FetchPolicy(allow_private=True, timeout_seconds=FETCH_TIMEOUT)


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with NewsSite(
        items=[story("rain", "rain"), story("port", "port"), story("vote", "election")],
        pages={"bridge": story("bridge", "bridge")},
    ) as server:
        yield server


def _indexer(
    sessions: sessionmaker[Session], index_dir: Path, embedder: HashingEmbedder | None = None
) -> Indexer:
    return Indexer(
        session_factory=sessions,
        embedder=embedder or HashingEmbedder(64),
        index_dir=index_dir,
        # embed_chunks=1: every batch embedded on its own, so alerts come in several parts
        config=IndexingConfig(batch_articles=2, embed_chunks=1),
    )


def _add(sessions: sessionmaker[Session], kind: str, location: str) -> SourceRecord:
    with session_scope(sessions) as session:
        return store.add_source(session=session, kind=kind, location=location)


def _sources(sessions: sessionmaker[Session]) -> dict[str, SourceRecord]:
    with session_scope(sessions) as session:
        return {s.location: s for s in store.list_sources(session=session)}


async def _refresh(
    sessions: sessionmaker[Session], index_dir: Path, **kwargs: object
) -> RefreshReport:
    indexer = _indexer(sessions, index_dir, kwargs.pop("embedder", None))  # type: ignore[arg-type]
    return await asyncio.to_thread(
        refresh_sources,
        indexer,
        sessions,
        policy=kwargs.pop("policy", LOCAL),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def _assert_index_matches_database(sessions: sessionmaker[Session], index_dir: Path) -> None:
    pair = load_pair(index_dir, model_name="hashing-test", dimension=64)
    assert pair is not None
    with session_scope(sessions) as session:
        db_ids = store.all_chunk_ids(session=session)
    assert np.array_equal(np.sort(pair.vectors.ids()), db_ids)
    assert np.array_equal(np.sort(pair.keywords.ids()), db_ids)


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    for i in range(n):
        record = story(f"file{i}", f"harvest {i}", i + 1)
        data = {"title": record.title, "body": record.body, "source": "Farm Weekly"}
        (folder / f"story{i}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


async def test_every_kind_of_source_is_indexed_and_failures_do_not_stop_the_others(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = _folder(tmp_path, 2)
    _add(session_factory, "feed", site.url("/missing.xml"))
    _add(session_factory, "feed", site.url("/feed.xml"))
    _add(session_factory, "feed", site.url("/broken.xml"))
    _add(session_factory, "feed", site.url("/slow.xml"))
    _add(session_factory, "page", site.url("/story/bridge"))
    _add(session_factory, "folder", str(folder))
    _add(session_factory, "folder", str(tmp_path / "gone"))
    seen: list[RefreshProgress] = []

    report = await _refresh(session_factory, tmp_path / "index", progress=seen.append)

    assert (report.new, report.updated, report.duplicates) == (3 + 1 + 2, 0, 0)
    reasons = {f.location.rsplit("/", 1)[-1]: f.reason for f in report.failed_sources}
    assert reasons == {
        "missing.xml": "The site answered with HTTP 404.",
        "broken.xml": "not an RSS or Atom feed",
        "slow.xml": "The site took too long to answer.",
        "gone": "the folder does not exist (any more)",
    }
    sources = _sources(session_factory)
    assert sources[site.url("/missing.xml")].last_error == "The site answered with HTTP 404."
    assert sources[site.url("/feed.xml")].last_error is None
    assert sources[site.url("/feed.xml")].article_count == 3
    assert sources[site.url("/feed.xml")].etag is not None
    assert sources[site.url("/story/bridge")].article_count == 1
    assert sources[str(folder)].article_count == 2
    assert all(s.last_fetch_at is not None for s in sources.values())
    assert len(report.new_article_ids) == 6
    _assert_index_matches_database(session_factory, tmp_path / "index")

    phases = [p.phase for p in seen]
    assert (phases[0], phases[-1]) == (FETCHING, DONE)
    assert INDEXING in phases
    assert seen[-1].sources_done == seen[-1].sources_total == 7
    assert seen[-1].articles_fetched == seen[-1].articles_parsed == 6
    assert seen[-1].chunks_embedded == report.chunks_embedded > 0


async def test_a_second_poll_gets_304_and_only_new_articles_are_embedded(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "feed", site.url("/feed.xml"))
    _add(session_factory, "page", site.url("/story/bridge"))
    first = await _refresh(session_factory, tmp_path / "index", kinds=("feed",))
    assert (first.sources, first.new) == (1, 3)
    assert "/story/bridge" not in site.requests  # pages are not polled

    second = await _refresh(session_factory, tmp_path / "index", kinds=("feed",))
    assert (second.new, second.not_modified, second.chunks_embedded) == (0, 1, 0)
    assert site.not_modified == 1

    site.items.append(story("storm", "storm"))
    third = await _refresh(session_factory, tmp_path / "index", kinds=("feed",))
    assert (third.new, third.duplicates, third.not_modified) == (1, 3, 0)
    with session_scope(session_factory) as session:
        storm = store.get_article_by_key(
            session=session, key=normalize_url(site.url("/story/storm"))
        )
        assert storm is not None
        storm_chunks = store.chunks_for_articles(session=session, article_ids=[storm.id])
    assert third.chunks_embedded == len(storm_chunks)
    assert _sources(session_factory)[site.url("/feed.xml")].article_count == 4
    _assert_index_matches_database(session_factory, tmp_path / "index")


async def test_new_chunks_are_passed_on_for_the_alert_matcher(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "feed", site.url("/feed.xml"))
    parts: list[NewChunks] = []
    report = await _refresh(session_factory, tmp_path / "index", on_chunks=parts.append)
    merged = merge_new_chunks(parts)
    assert merged is not None
    assert len(parts) == 2  # three articles in batches of two
    assert sorted(merged.article_ids) == sorted(report.new_article_ids)
    assert merged.vectors.shape == (report.chunks_embedded, 64)
    assert set(merged.chunk_article_ids.tolist()) == set(report.new_article_ids)
    assert merge_new_chunks([]) is None


async def test_full_refresh_reembeds_everything_even_after_a_model_change(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "feed", site.url("/feed.xml"))
    index_dir = tmp_path / "index"
    first = await _refresh(session_factory, index_dir)
    other = HashingEmbedder(32, model_name="hashing-other")
    with pytest.raises(IndexMismatchError):
        await _refresh(session_factory, index_dir, embedder=other)

    site.items.append(story("storm", "storm"))
    seen: list[RefreshProgress] = []
    full = await _refresh(
        session_factory, index_dir, embedder=other, full=True, progress=seen.append
    )
    assert full.full
    assert full.reembedded == first.chunks_embedded
    assert (full.new, full.duplicates) == (1, 3)
    assert REEMBEDDING in [p.phase for p in seen]
    pair = load_pair(index_dir, model_name="hashing-other", dimension=32)
    assert pair is not None
    with session_scope(session_factory) as session:
        assert np.array_equal(np.sort(pair.vectors.ids()), store.all_chunk_ids(session=session))


async def test_one_writer_at_a_time(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with refresh_lock(index_dir), pytest.raises(RefreshBusyError), refresh_lock(index_dir):
        pass
    with refresh_lock(index_dir):  # released: free again
        pass


async def test_cancel_stops_the_run_and_keeps_what_was_committed(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    folder = _folder(tmp_path, 6)
    _add(session_factory, "folder", str(folder))
    cancel = threading.Event()

    def progress(state: RefreshProgress) -> None:
        if state.articles_parsed >= 2:
            cancel.set()

    with pytest.raises(RefreshCancelled):
        await _refresh(session_factory, tmp_path / "index", progress=progress, cancel=cancel)
    resumed = await _refresh(session_factory, tmp_path / "index")
    assert resumed.new + resumed.duplicates == 6
    with session_scope(session_factory) as session:
        assert store.corpus_stats(session=session).articles == 6
    _assert_index_matches_database(session_factory, tmp_path / "index")


async def test_detect_source_tells_feeds_from_pages(site: NewsSite) -> None:
    feed = await detect_source(site.url("/feed.xml"), policy=LOCAL)
    assert (feed.kind, feed.name, feed.articles) == ("feed", "Test Gazette", 3)
    page = await detect_source(site.url("/story/bridge"), policy=LOCAL)
    assert (page.kind, page.articles) == ("page", 1)
    assert page.name == "Bridge update 1"
    with pytest.raises(ParseError, match="not an RSS or Atom feed"):
        await detect_source(site.url("/broken.xml"), policy=LOCAL)
    with pytest.raises(FetchError, match="HTTP 404"):
        await detect_source(site.url("/missing.xml"), policy=LOCAL)
    with pytest.raises(FetchError, match="private or local"):
        await detect_source(site.url("/feed.xml"), policy=FetchPolicy())
    with pytest.raises(FetchError, match="Only http"):
        await detect_source("file:///etc/passwd", policy=LOCAL)


def test_estimate_eta() -> None:
    assert estimate_eta(0, 10, 5.0) is None
    assert estimate_eta(5, 10, 0.0) is None
    assert estimate_eta(5, 10, 5.0) == pytest.approx(5.0)
    assert estimate_eta(10, 10, 5.0) == 0.0
    assert estimate_eta(12, 10, 5.0) == 0.0
