"""Registered sources: fetching them (a few at a time) and recording how each fetch went.

Failures never raise: a source that cannot be fetched or parsed comes back with `error`
set to a reason that is safe to show an admin, so one bad source never stops the others.
`detect_source` tells what an address is (a feed or an article page) before it is added.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.errors import NewsbotError, ParseError
from index.feed_pages import (
    CompletedFeed,
    KnownArticles,
    PageLimits,
    PagesCallback,
    TextOwners,
    complete_teasers,
)
from index.fetch import FetchPolicy, fetch_articles
from index.parsing.sniff import Kind, sniff_kind
from index.store_article_lookups import keys_by_content_hash
from index.store_articles import get_articles_by_key
from index.types import Article, ParseFailure, SourceRecord, StoredArticle

log = logging.getLogger(__name__)

FETCH_CONCURRENCY = 4
UNEXPECTED = "unexpected error while reading this source (see the log)"


@dataclass(frozen=True)
class FetchedSource:
    """One feed or page after fetching: its articles, or why it failed."""

    source: SourceRecord
    articles: tuple[Article, ...] = ()
    failures: tuple[ParseFailure, ...] = ()  # entries that could not be read
    indexed_keys: tuple[str, ...] = ()  # feed entries left out as already indexed in full
    pages_fetched: int = 0  # linked pages of teaser entries requested
    pages_read: int = 0  # of those, the pages that gave their entry's article
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None


@dataclass(frozen=True)
class SourceFailure:
    """A source that could not be read in a refresh, and why (safe to show an admin)."""

    source_id: int
    location: str
    reason: str


@dataclass(frozen=True)
class DetectedSource:
    """What an address serves: `kind` is "feed" or "page"; `name` the feed or page title."""

    url: str
    kind: str
    name: str | None
    articles: int


async def fetch_source(
    source: SourceRecord,
    policy: FetchPolicy,
    *,
    known: KnownArticles | None = None,
    owners: TextOwners | None = None,
    pages: PageLimits = PageLimits(),
    on_pages: PagesCallback | None = None,
) -> FetchedSource:
    """Fetch and parse one feed or page, conditionally on its stored validators.

    A feed's teaser entries are completed from their linked pages (`index/feed_pages.py`);
    `known` finds the entries already indexed in full, which are not fetched again, and
    `owners` the stored articles a page's text belongs to (`keys_by_content_hash`);
    `on_pages` hears of those page fetches as they go.
    """
    try:
        result, parsed = await fetch_articles(
            source.location,
            policy=policy,
            etag=source.etag,
            last_modified=source.last_modified,
        )
        feed = CompletedFeed(parsed.articles)
        if source.kind == "feed" and parsed.articles:
            feed = await complete_teasers(
                parsed.articles,
                policy=policy,
                known=known,
                owners=owners,
                limits=pages,
                on_pages=on_pages,
            )
    except NewsbotError as exc:
        return FetchedSource(source, error=exc.user_message)
    except Exception:  # a bug in a parser on odd input must not stop the other sources
        log.exception("fetching source #%d (%s) failed", source.id, source.location)
        return FetchedSource(source, error=UNEXPECTED)
    if result.not_modified:
        return FetchedSource(
            source, etag=result.etag, last_modified=result.last_modified, not_modified=True
        )
    if not parsed.articles and parsed.failures:
        return FetchedSource(source, error=parsed.failures[0].reason)
    return FetchedSource(
        source,
        articles=feed.articles,
        indexed_keys=feed.indexed,
        pages_fetched=feed.pages_fetched,
        pages_read=feed.pages_read,
        failures=parsed.failures,
        etag=result.etag,
        last_modified=result.last_modified,
    )


async def fetch_sources(
    sources: list[SourceRecord],
    policy: FetchPolicy,
    *,
    concurrency: int = FETCH_CONCURRENCY,
    on_done: Callable[[FetchedSource], None] | None = None,
    known: KnownArticles | None = None,
    owners: TextOwners | None = None,
    pages: PageLimits = PageLimits(),
    on_pages: PagesCallback | None = None,
) -> list[FetchedSource]:
    """Fetch feeds and pages, `concurrency` at a time; results in the order of `sources`."""
    gate = asyncio.Semaphore(concurrency)

    async def one(source: SourceRecord) -> FetchedSource:
        async with gate:
            fetched = await fetch_source(
                source, policy, known=known, owners=owners, pages=pages, on_pages=on_pages
            )
        if on_done is not None:
            on_done(fetched)
        return fetched

    return list(await asyncio.gather(*(one(s) for s in sources)))


async def detect_source(url: str, *, policy: FetchPolicy) -> DetectedSource:
    """Fetch `url` once and tell whether it is a feed or an article page.

    Raises FetchError when it cannot be fetched (refused, too big, too slow, HTTP error)
    and ParseError when it holds neither a feed nor an article.
    """
    result, parsed = await fetch_articles(url, policy=policy)
    is_feed = sniff_kind(result.content, result.content_type) is Kind.FEED
    if not parsed.articles and (parsed.failures or not is_feed):
        reason = parsed.failures[0].reason if parsed.failures else "no article text"
        raise ParseError(f"That address has no feed or article I can read ({reason}).")
    first = parsed.articles[0] if parsed.articles else None
    if is_feed:
        name = first.source if first is not None else None
    else:
        name = first.title if first is not None else None
    return DetectedSource(
        url=url.strip(),
        kind="feed" if is_feed else "page",
        name=name,
        articles=len(parsed.articles),
    )


def stored_lookups(sessions: sessionmaker[Session]) -> tuple[KnownArticles, TextOwners]:
    """The database look-ups `fetch_source` takes, each run on a worker thread: the stored
    articles by key (`known`) and the keys a text hash belongs to (`owners`)."""

    def stored(keys: Collection[str]) -> Mapping[str, StoredArticle]:
        with session_scope(sessions) as session:
            return get_articles_by_key(session=session, keys=keys)

    async def known(keys: Collection[str]) -> Mapping[str, StoredArticle]:
        return await asyncio.to_thread(stored, keys)

    def owned(hashes: Collection[str]) -> Mapping[str, Collection[str]]:
        with session_scope(sessions) as session:
            return keys_by_content_hash(session=session, hashes=hashes)

    async def owners(hashes: Collection[str]) -> Mapping[str, Collection[str]]:
        # A page text stored under another address is not this entry's (a consent wall).
        return await asyncio.to_thread(owned, hashes)

    return known, owners


def record_outcomes(
    sessions: sessionmaker[Session],
    fetched: list[FetchedSource],
    folders: list[SourceRecord],
    missing: list[SourceRecord],
    keys: Mapping[int, list[str]],
    new_ids: set[int],
    now: datetime,
) -> list[SourceFailure]:
    """Store how each source went, once its articles are committed; return the failures.

    `keys` holds the identity keys of the articles each source gave (by source id), to
    count the new ones among `new_ids` and all it gave (a source whose articles were all
    indexed from elsewhere first still shows what it yields); validators are stored only
    for a fetch that worked, so a failed one is retried in full next time.
    """
    failed: list[SourceFailure] = []
    with session_scope(sessions) as session:
        for result in fetched:
            source = result.source
            if result.error is not None:
                failed.append(SourceFailure(source.id, source.location, result.error))
            given = keys.get(source.id, [])
            _record_one(
                session,
                source,
                now,
                etag=result.etag,
                last_modified=result.last_modified,
                error=result.error,
                new=_count_new(session, given, new_ids),
                read=None if result.error or result.not_modified else len(set(given)),
            )
        for source in folders:
            given = keys.get(source.id, [])
            new = _count_new(session, given, new_ids)
            _record_one(session, source, now, error=None, new=new, read=len(set(given)))
        for source in missing:
            reason = "the folder does not exist (any more)"
            failed.append(SourceFailure(source.id, source.location, reason))
            _record_one(session, source, now, error=reason, new=0)
    return failed


def _record_one(
    session: Session,
    source: SourceRecord,
    now: datetime,
    *,
    error: str | None,
    new: int,
    read: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    try:
        store.record_fetch(
            session=session,
            source_id=source.id,
            fetched_at=now,
            etag=etag,
            last_modified=last_modified,
            error=error,
            new_articles=new,
            read_articles=read,
        )
    except NewsbotError:  # removed while the run was going: nothing to record
        log.info("source #%d was removed during the refresh", source.id)


def _count_new(session: Session, keys: list[str], new_ids: set[int]) -> int:
    if not keys or not new_ids:
        return 0
    count = 0
    for key in dict.fromkeys(keys):
        stored = store.get_article_by_key(session=session, key=key)
        if stored is not None and stored.id in new_ids:
            count += 1
    return count
