"""Feeds of teasers: entries completed from their linked pages, bounded, not refetched."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.feed_pages import (
    PageLimits,
    complete_teasers,
    fetch_with_pages,
    is_teaser,
    merge_page,
)
from index.fetch import FetchPolicy
from index.identity import normalize_url
from index.pipeline import Indexer
from index.refresh import refresh_sources
from index.refresh_report import RefreshReport
from index.types import Article, StoredArticle
from tests.news_site import FETCH_TIMEOUT, TEASER_CHARS, NewsSite, story

LOCAL = FetchPolicy(allow_private=True, timeout_seconds=FETCH_TIMEOUT)
SLUGS = ("rain", "port", "vote")


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    stories = [story("rain", "rain"), story("port", "port"), story("vote", "election")]
    async with NewsSite(items=stories, pages={s.slug: s for s in stories}) as server:
        yield server


async def _refresh(sessions: sessionmaker[Session], index_dir: Path) -> RefreshReport:
    indexer = Indexer(session_factory=sessions, embedder=HashingEmbedder(64), index_dir=index_dir)
    return await asyncio.to_thread(refresh_sources, indexer, sessions, policy=LOCAL)


def _add(sessions: sessionmaker[Session], kind: str, location: str) -> None:
    with session_scope(sessions) as session:
        store.add_source(session=session, kind=kind, location=location)


def _stored(sessions: sessionmaker[Session], url: str) -> StoredArticle:
    with session_scope(sessions) as session:
        found = store.get_article_by_key(session=session, key=normalize_url(url))
    assert found is not None, url
    return found


def _page_requests(site: NewsSite) -> list[str]:
    return [r for r in site.requests if r.startswith(("/story/", "/bare/"))]


# --- the rule and the merge (pure) ---------------------------------------------------------


def test_short_or_cut_off_entries_with_a_web_link_are_teasers() -> None:
    link = "https://news.example/a"
    assert is_teaser(Article("T", "One sentence of summary.", url=link))
    assert is_teaser(Article("T", "word " * 200 + "Continue reading...", url=link))
    assert not is_teaser(Article("T", "word " * 200, url=link))  # the article itself
    assert not is_teaser(Article("T", "One sentence.", url=None))  # nothing to follow
    assert not is_teaser(Article("T", "One sentence.", url="mailto:desk@news.example"))


def test_the_page_wins_and_the_feed_fills_what_the_page_lacks() -> None:
    entry = Article(
        "Feed title",
        "Teaser.",
        source="Porttown Post",
        published_at=datetime(2024, 5, 1, tzinfo=UTC),
        url="https://post.example/story/1",
        language="en",
    )
    bare = Article(
        "Ferry crews walked off the job on Monday.",  # derived from the body: no <title>
        "Ferry crews walked off the job on Monday. More text follows here.",
        source="post.example",  # the host: the page had no site name
        url="https://post.example/story/1",
    )
    merged = merge_page(entry, bare)
    assert (merged.title, merged.source, merged.published_at, merged.language) == (
        "Feed title",
        "Porttown Post",
        entry.published_at,
        "en",
    )
    assert merged.body == bare.body
    full = Article(
        "Page title",
        bare.body,
        source="Post Online",
        published_at=datetime(2024, 5, 2, tzinfo=UTC),
        url="https://post.example/story/1",
    )
    assert merge_page(entry, full) == Article(
        "Page title", bare.body, "Post Online", full.published_at, full.url, "en"
    )


# --- against a local site --------------------------------------------------------------------


async def test_a_teaser_feed_is_indexed_from_the_linked_pages(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "feed", site.url("/teasers.xml"))

    report = await _refresh(session_factory, tmp_path / "index")

    assert report.new == 3
    for slug in SLUGS:
        stored = _stored(session_factory, site.url(f"/story/{slug}"))
        assert len(stored.body) > 3 * TEASER_CHARS
        assert "Sentence 11 of the" in stored.body
        assert stored.source == "Test Herald"  # the page's site name beats the feed's title


async def test_pages_without_outlet_or_date_keep_the_feeds(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "feed", site.url("/teasers.xml?bare=1"))

    await _refresh(session_factory, tmp_path / "index")

    stored = _stored(session_factory, site.url("/bare/port"))
    assert "Sentence 11 of the port report" in stored.body
    assert stored.source == "Test Gazette"
    assert stored.published_at is not None
    assert stored.published_at.replace(tzinfo=UTC) == site.items[1].published


async def test_a_reread_fetches_no_page_already_indexed_in_full(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    del site.pages["vote"]  # its page is gone: the teaser is kept, and tried again next time
    _add(session_factory, "feed", site.url("/teasers.xml"))
    first = await _refresh(session_factory, tmp_path / "index")
    assert first.new == 3
    assert len(_stored(session_factory, site.url("/story/vote")).body) <= TEASER_CHARS
    assert sorted(_page_requests(site)) == ["/story/port", "/story/rain", "/story/vote"]
    site.requests.clear()

    second = await _refresh(session_factory, tmp_path / "index")

    assert (second.new, second.updated, second.duplicates) == (0, 0, 1)  # vote's teaser
    assert _page_requests(site) == ["/story/vote"]
    with session_scope(session_factory) as session:
        (source,) = store.list_sources(session=session)
    assert source.last_read == 3  # entries not ingested again still count as read
    assert "Sentence 11" in _stored(session_factory, site.url("/story/rain")).body


async def test_pages_whose_canonical_address_differs_are_not_fetched_again(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # BBC-style: the feed links carry ?at_medium=RSS, the pages name their address without it.
    _add(session_factory, "feed", site.url("/teasers.xml?tracked=1"))
    first = await _refresh(session_factory, tmp_path / "index")
    assert first.new == 3
    assert len(_page_requests(site)) == 3
    site.requests.clear()

    second = await _refresh(session_factory, tmp_path / "index")

    assert (second.new, second.updated) == (0, 0)
    assert _page_requests(site) == []  # every entry is indexed in full already
    stored = _stored(session_factory, site.url("/story/rain?at_medium=RSS"))
    assert "Sentence 11 of the rain report" in stored.body


async def test_a_tracked_feed_and_a_page_source_of_one_article_stay_unchanged(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "page", site.url("/story/rain"))
    _add(session_factory, "feed", site.url("/teasers.xml?tracked=1"))
    assert (await _refresh(session_factory, tmp_path / "index")).new == 3  # rain once
    for _ in range(2):
        again = await _refresh(session_factory, tmp_path / "index")
        assert (again.new, again.updated) == (0, 0)
    with session_scope(session_factory) as session:
        assert store.corpus_stats(session=session).articles == 3


async def test_pages_per_read_are_capped_and_failures_keep_the_teaser(site: NewsSite) -> None:
    entries = [
        Article(s.title, s.body[:TEASER_CHARS], "Gazette", url=site.url(f"/story/{s.slug}"))
        for s in site.items
    ] + [Article("Gone", "A teaser of a page that is gone.", url=site.url("/story/gone"))]
    asked: list[Collection[str]] = []

    async def known(keys: Collection[str]) -> Mapping[str, StoredArticle]:
        asked.append(keys)
        return {}

    capped = await complete_teasers(
        entries, policy=LOCAL, known=known, limits=PageLimits(max_pages=2)
    )
    assert len(asked) == 1  # one look-up for the whole feed
    assert len(asked[0]) == 4
    assert sorted(_page_requests(site)) == ["/story/port", "/story/rain"]
    assert [len(a.body) > TEASER_CHARS for a in capped.articles] == [True, True, False, False]

    site.requests.clear()
    failing = await complete_teasers(entries[3:], policy=LOCAL)
    assert _page_requests(site) == ["/story/gone"]
    assert failing.articles == (entries[3],)


async def test_a_feed_and_a_page_source_of_one_article_stay_unchanged(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # As QA found: the feed's teaser and the page's article replaced each other on every run.
    _add(session_factory, "feed", site.url("/teasers.xml?bare=1"))
    _add(session_factory, "page", site.url("/bare/rain"))
    first = await _refresh(session_factory, tmp_path / "index")
    assert first.new == 3
    outlet = _stored(session_factory, site.url("/bare/rain")).source

    for _ in range(2):
        again = await _refresh(session_factory, tmp_path / "index")
        assert (again.new, again.updated) == (0, 0)
        assert _stored(session_factory, site.url("/bare/rain")).source == outlet
    assert outlet == "Test Gazette"


async def test_a_feed_never_puts_back_what_a_page_source_updated(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    _add(session_factory, "page", site.url("/story/rain"))
    _add(session_factory, "feed", site.url("/teasers.xml"))
    assert (await _refresh(session_factory, tmp_path / "index")).new == 3
    site.pages["rain"] = story("rain", "rain", 2)  # the article is edited; the teaser is not

    edited = await _refresh(session_factory, tmp_path / "index")
    settled = await _refresh(session_factory, tmp_path / "index")

    assert (edited.updated, settled.updated) == (1, 0)
    assert "detail number 22" in _stored(session_factory, site.url("/story/rain")).body


# --- one-off ingest of an address --------------------------------------------------------


async def test_a_one_off_ingest_of_a_feed_takes_its_pages(site: NewsSite) -> None:
    # `newsbot ingest URL` and the admin's /ingest URL read a feed as a registered one would.
    _, parsed = await fetch_with_pages(site.url("/teasers.xml"), policy=LOCAL)
    assert [len(a.body) > TEASER_CHARS for a in parsed.articles] == [True] * len(SLUGS)
    assert sorted(_page_requests(site)) == sorted(f"/story/{slug}" for slug in SLUGS)


async def test_a_one_off_ingest_of_a_page_fetches_it_once(site: NewsSite) -> None:
    _, parsed = await fetch_with_pages(site.url("/story/rain"), policy=LOCAL)
    assert len(parsed.articles) == 1
    assert _page_requests(site) == ["/story/rain"]


async def test_entries_whose_links_give_one_same_page_keep_their_teasers() -> None:
    # A cookie wall or paywall page served for every link is no entry's article.
    wall = story("wall", "cookie consent")
    rain = story("rain", "rain")
    items = [story("a", "harbour"), story("b", "bridge"), rain]
    async with NewsSite(items=items, pages={"a": wall, "b": wall, "rain": rain}) as site:
        entries = [
            Article(s.title, s.body[:TEASER_CHARS], "Gazette", url=site.url(f"/story/{s.slug}"))
            for s in items
        ]
        completed = await complete_teasers(entries, policy=LOCAL)
    assert completed.articles[:2] == tuple(entries[:2])
    assert "Sentence 11 of the rain report" in completed.articles[2].body
