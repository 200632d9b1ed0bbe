"""One source per address: other spellings of a registered URL are refused, before any fetch."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot import admin_ops
from bot.runtime import Runtime
from index import store
from index.errors import BadInputError
from tests.bot.admin_world import make_runtime
from tests.news_site import NewsSite, story

FEED = "http://127.0.0.1:18777/feed.xml"


@pytest.mark.parametrize(
    "variant",
    [
        "HTTP://127.0.0.1:18777/feed.xml",
        FEED + "?utm_source=x",
        FEED + "/",
        "https://127.0.0.1:18777/feed.xml#top",
    ],
)
def test_another_spelling_of_a_source_is_refused(session: Session, variant: str) -> None:
    first = store.add_source(session=session, kind="feed", location=FEED)
    with pytest.raises(BadInputError, match=rf"already a source: #{first.id}, {FEED}\."):
        store.add_source(session=session, kind="feed", location=variant)
    assert [s.location for s in store.list_sources(session=session)] == [FEED]


def test_different_addresses_and_folders_are_still_sources_of_their_own(
    session: Session,
) -> None:
    store.add_source(session=session, kind="feed", location=FEED)
    for other in (
        FEED + "?page=2",
        "http://127.0.0.1:18777/other.xml",
        "http://127.0.0.1/feed.xml",
    ):
        store.add_source(session=session, kind="feed", location=other)
    store.add_source(session=session, kind="folder", location="/data/News")
    store.add_source(session=session, kind="folder", location="/data/news")  # paths are exact
    assert len(store.list_sources(session=session)) == 6
    with pytest.raises(BadInputError, match=r"^/data/news is already a source\.$"):
        store.add_source(session=session, kind="folder", location="/data/news")


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with NewsSite(items=[story("rain", "rain")]) as server:
        yield server


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path / "data")


async def test_adding_a_variant_is_refused_before_it_is_fetched(
    runtime: Runtime, site: NewsSite
) -> None:
    kind, location, _ = await admin_ops.describe_source(runtime, site.url("/feed.xml"))
    await asyncio.to_thread(admin_ops.register_source, runtime, kind, location)
    assert site.requests == ["/feed.xml"]

    variant = site.url("/feed.xml").upper().replace("/FEED.XML", "/feed.xml?utm_medium=rss")
    with pytest.raises(BadInputError, match="already a source: #1"):
        await admin_ops.describe_source(runtime, variant)
    assert site.requests == ["/feed.xml"]
