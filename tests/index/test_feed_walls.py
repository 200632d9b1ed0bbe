"""Teasers whose links lead to a page another article already holds (a cookie or consent
wall): the entry keeps its teaser instead of becoming that page or being lost as its copy."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.feed_pages import complete_teasers
from index.fetch import FetchPolicy
from index.fingerprints import fingerprint
from index.identity import article_key, content_hash, normalize_url
from index.pipeline import Indexer
from index.refresh import refresh_sources
from index.refresh_report import RefreshReport
from index.store_article_lookups import keys_by_content_hash
from index.types import Article, StoredArticle
from tests.news_site import FETCH_TIMEOUT, TEASER_CHARS, NewsSite, Story, story

LOCAL = FetchPolicy(allow_private=True, timeout_seconds=FETCH_TIMEOUT)
WALL = story("consent", "cookie consent")


async def _refresh(sessions: sessionmaker[Session], index_dir: Path) -> RefreshReport:
    indexer = Indexer(session_factory=sessions, embedder=HashingEmbedder(64), index_dir=index_dir)
    return await asyncio.to_thread(refresh_sources, indexer, sessions, policy=LOCAL)


def _stored(sessions: sessionmaker[Session], url: str) -> StoredArticle:
    with session_scope(sessions) as session:
        found = store.get_article_by_key(session=session, key=normalize_url(url))
    assert found is not None, url
    return found


def _teaser(site: NewsSite, s: Story, path: str = "/story/") -> Article:
    return Article(s.title, s.body[:TEASER_CHARS], "Gazette", url=site.url(path + s.slug))


async def test_a_wall_stored_for_one_entry_is_repaired_when_another_entry_meets_it(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # As QA found: the first entry sent to the wall is stored as the wall (nothing tells it
    # apart yet); a later entry sent there was dropped as its copy on every read.
    harbour, bridge = story("harbour", "harbour"), story("bridge", "bridge")
    pages = {"harbour": harbour, "bridge": bridge, "consent": WALL}
    async with NewsSite(items=[harbour], pages=pages) as site:
        site.redirects = {"harbour": "/story/consent", "bridge": "/story/consent"}
        with session_scope(session_factory) as session:
            store.add_source(session=session, kind="feed", location=site.url("/teasers.xml"))
        first = await _refresh(session_factory, tmp_path / "index")
        assert first.new == 1
        assert "cookie consent" in _stored(session_factory, site.url("/story/harbour")).body

        site.items = [bridge, harbour]
        second = await _refresh(session_factory, tmp_path / "index")

        assert (second.new, second.updated, second.duplicates) == (1, 1, 0)
        for slug in ("bridge", "harbour"):
            assert len(_stored(session_factory, site.url(f"/story/{slug}")).body) <= TEASER_CHARS

        site.redirects = {}  # consent given: the links lead to their articles again
        third = await _refresh(session_factory, tmp_path / "index")

        assert third.updated == 2
        for slug in ("bridge", "harbour"):
            body = _stored(session_factory, site.url(f"/story/{slug}")).body
            assert f"Sentence 11 of the {slug} report" in body


async def test_a_page_stored_under_another_address_keeps_the_teaser_unless_it_names_it(
    session_factory: sessionmaker[Session],
) -> None:
    rain = story("rain", "rain")
    pages = {"rain": rain, "consent": WALL, "x": story("x", "x"), "y": story("y", "y")}
    async with NewsSite(items=[], pages=pages) as site:
        site.redirects = {"x": "/story/consent", "y": "/story/consent"}

        async def owners(hashes: Collection[str]) -> Mapping[str, Collection[str]]:
            with session_scope(session_factory) as session:
                return keys_by_content_hash(session=session, hashes=hashes)

        # What an earlier read stored: entry x as the wall (another feed), and the rain
        # article from its own address (a page source).
        x, y = _teaser(site, pages["x"]), _teaser(site, pages["y"])
        earlier = await complete_teasers([x, _teaser(site, rain)], policy=LOCAL)
        with session_scope(session_factory) as session:
            for article in earlier.articles:
                store.upsert_article(
                    session=session,
                    article=article,
                    key=article_key(article),
                    content_hash=content_hash(article.title, article.body),
                    fingerprint=fingerprint(article.body),
                )
        tracked = Article(rain.title, rain.body[:TEASER_CHARS], url=site.url("/story/rain?at=RSS"))

        completed = await complete_teasers([y, tracked], policy=LOCAL, owners=owners)

    assert completed.articles[0] == y  # the wall is x's text, not y's article
    # The page names the address its text is stored under: it is that article.
    assert "Sentence 11 of the rain report" in completed.articles[1].body


async def test_an_entry_meeting_a_wall_stored_by_an_entry_gone_from_the_feed_keeps_its_teaser(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    # The database, not only this read's entries, says whose text a page already is.
    harbour, bridge = story("harbour", "harbour"), story("bridge", "bridge")
    pages = {"harbour": harbour, "bridge": bridge, "consent": WALL}
    async with NewsSite(items=[harbour], pages=pages) as site:
        site.redirects = {"harbour": "/story/consent", "bridge": "/story/consent"}
        with session_scope(session_factory) as session:
            store.add_source(session=session, kind="feed", location=site.url("/teasers.xml"))
        await _refresh(session_factory, tmp_path / "index")

        site.items = [bridge]  # the walled entry has left the feed
        second = await _refresh(session_factory, tmp_path / "index")

        assert (second.new, second.duplicates) == (1, 0)
        assert len(_stored(session_factory, site.url("/story/bridge")).body) <= TEASER_CHARS
