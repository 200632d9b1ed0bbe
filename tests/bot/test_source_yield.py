"""`sources list` shows what a source yields, also when every article it gives was indexed
from elsewhere first (a mirror, an aggregator): "0 articles" would read as a broken source."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli_admin, messages_admin
from bot.cli import _parser
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.types import SourceRecord
from tests.bot.admin_world import make_runtime
from tests.news_site import NewsSite, story


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    items = [story("rain", "rain"), story("vote", "election"), story("port", "port")]
    async with NewsSite(items=items) as server:
        yield server


def _run(runtime: Runtime, *argv: str) -> int | None:
    return cli_admin.dispatch(runtime, _parser().parse_args(list(argv)))


def _sources(runtime: Runtime) -> dict[int, SourceRecord]:
    with session_scope(runtime.sessions) as session:
        return {s.id: s for s in store.list_sources(session=session)}


async def test_a_source_of_articles_indexed_elsewhere_lists_what_it_gave(
    site: NewsSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = make_runtime(tmp_path / "data")
    assert await asyncio.to_thread(_run, runtime, "sources", "add", site.url("/feed.xml")) == 0
    assert await asyncio.to_thread(_run, runtime, "reindex", "--quiet") == 0
    # The same feed at a second address: every article is already indexed.
    mirror = site.url("/feed.xml?mirror=1")
    assert await asyncio.to_thread(_run, runtime, "sources", "add", mirror, "--kind", "feed") == 0
    assert await asyncio.to_thread(_run, runtime, "reindex", "--quiet") == 0
    assert "0 new, 0 updated, 3 already indexed" in capsys.readouterr().out

    assert _run(runtime, "sources", "list") == 0
    listing = capsys.readouterr().out
    assert f"#1 feed: {site.url('/feed.xml')}\n   3 articles, last fetch " in listing
    assert f"#2 feed: {mirror}\n   3 articles, all already indexed from elsewhere, " in listing

    sources = _sources(runtime)
    assert [(s.article_count, s.last_read) for s in sources.values()] == [(3, 3), (0, 3)]

    # A read answered "not modified" gave nothing new to count: the counts stay.
    assert await asyncio.to_thread(_run, runtime, "reindex", "--quiet") == 0
    assert "2 unchanged since the last fetch" in capsys.readouterr().out
    assert [(s.article_count, s.last_read) for s in _sources(runtime).values()] == [(3, 3), (0, 3)]


def test_the_source_line_tells_an_empty_source_from_a_duplicate_one() -> None:
    def line(article_count: int, last_read: int | None) -> str:
        source = SourceRecord(
            id=4,
            kind="feed",
            location="https://news.example/feed.xml",
            added_at=datetime(2024, 11, 1, tzinfo=UTC),
            last_fetch_at=datetime(2024, 11, 2, tzinfo=UTC),
            last_error=None,
            etag=None,
            last_modified=None,
            article_count=article_count,
            last_read=last_read,
        )
        return messages_admin.admin_source_line(source, UTC).splitlines()[1].split(", last")[0]

    assert line(0, 12) == "   12 articles, all already indexed from elsewhere"
    assert line(0, 1) == "   1 article, all already indexed from elsewhere"
    assert line(0, 0) == "   0 articles"  # an empty feed
    assert line(0, None) == "   0 articles"  # not read since the upgrade
    assert line(5, 12) == "   5 articles"
