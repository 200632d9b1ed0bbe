"""A teaser feed's linked pages show in the progress of a refresh and in its summary."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import messages_admin
from index import store
from index.db import session_scope
from index.embedding import HashingEmbedder
from index.fetch import FetchPolicy
from index.pipeline import Indexer
from index.refresh import refresh_sources
from index.refresh_report import FETCHING, RefreshProgress, RefreshReport
from tests.news_site import FETCH_TIMEOUT, NewsSite, story

LOCAL = FetchPolicy(allow_private=True, timeout_seconds=FETCH_TIMEOUT)


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    stories = [story("rain", "rain"), story("port", "port"), story("vote", "election")]
    # "vote" has no page: its entry keeps the teaser.
    async with NewsSite(items=stories, pages={s.slug: s for s in stories[:2]}) as server:
        yield server


async def test_page_fetches_move_the_progress_and_are_counted(
    site: NewsSite, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_scope(session_factory) as session:
        store.add_source(session=session, kind="feed", location=site.url("/teasers.xml"))
    indexer = Indexer(
        session_factory=session_factory, embedder=HashingEmbedder(64), index_dir=tmp_path / "ix"
    )
    seen: list[RefreshProgress] = []

    report = await asyncio.to_thread(
        refresh_sources, indexer, session_factory, policy=LOCAL, progress=seen.append
    )

    # While the one feed is still being read (0 of 1 sources), its pages count up to 3.
    reading = [p for p in seen if p.phase == FETCHING and p.sources_done == 0]
    assert [(p.pages_done, p.pages_total) for p in reading if p.pages_total] == [
        (0, 3),
        (1, 3),
        (2, 3),
        (3, 3),
    ]
    assert (report.pages_fetched, report.pages_read) == (3, 2)
    assert report.as_summary()["pages_fetched"] == 3
    text = messages_admin.refresh_progress("reindex", reading[-1], 4.0)
    assert "Linked pages: 3 of 3 fetched" in text
    summary = messages_admin.reindex_summary(report)
    assert "3 linked pages of teaser entries fetched, 2 with their article." in summary


def test_no_pages_line_for_sources_without_teasers() -> None:
    progress = RefreshProgress(FETCHING, 1, 2, 5, 0, 0, 1.0, None)
    assert "Linked pages" not in messages_admin.refresh_progress("reindex", progress, 1.0)
    assert "linked page" not in messages_admin.reindex_summary(RefreshReport(sources=2, new=5))
