"""Feed entries that are only teasers, completed from the pages they link to.

Most news feeds carry a sentence or two per entry and keep the article on the linked page.
An entry whose text is short (or ends like a cut-off summary) and that links to a web page
is replaced by that page's article, extracted as a page source would be; the feed's title,
date and outlet fill in what the page lacks. When the page cannot be fetched, holds no
article, or holds less text than the teaser, the teaser is kept.

Bounded, because feeds are re-read often: at most `max_pages` pages per read, `concurrency`
at a time, none started after `budget_seconds`, each under the fetch policy's own timeout and
size limit. An entry already stored with more text than its teaser is neither fetched nor
ingested again: only its key is passed on, so the source still counts it. An entry whose
page failed keeps its teaser and is tried again on the next read.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from urllib.parse import urlsplit

from index.errors import NewsbotError
from index.fetch import FetchPolicy, FetchResult, fetch_articles
from index.identity import article_key, normalize_url
from index.parsing.common import derive_title, host_of
from index.parsing.sniff import Kind, sniff_kind
from index.types import Article, ParseResult, StoredArticle

log = logging.getLogger(__name__)

# Teasers run one to three sentences (BBC, CNN, Reuters: 100-300 characters); a feed that
# carries the article itself gives far more than this.
TEASER_MAX_CHARS = 600
# A longer summary that ends like this still stops short of the article.
_CUT_OFF = re.compile(
    r"(?:\.\.\.|…|\[(?:\.\.\.|…)\]|read more|continue reading|\(more\))\W*$", re.IGNORECASE
)
_CUT_OFF_MAX_CHARS = 2000
MAX_PAGES_PER_READ = 20
PAGE_CONCURRENCY = 2  # per feed: its pages are usually on one host
PAGE_BUDGET_SECONDS = 60.0

# Stored articles by identity key, among the keys asked for.
KnownArticles = Callable[[Collection[str]], Awaitable[Mapping[str, StoredArticle]]]


def is_teaser(article: Article) -> bool:
    """True when an entry's text looks like a summary of a linked article (pure)."""
    if not _links_to_page(article.url):
        return False
    body = article.body.strip()
    if len(body) < TEASER_MAX_CHARS:
        return True
    return len(body) < _CUT_OFF_MAX_CHARS and _CUT_OFF.search(body) is not None


def merge_page(entry: Article, page: Article) -> Article:
    """The page's article, with the entry's title, date and outlet where the page has none.

    The page's URL is kept when it is the entry's address (however spelled), so the article
    has the identity a page source of the same address gives it. A page naming another
    address (a canonical link without the feed's tracking parameters, a redirect's target)
    keeps the entry's: the next read looks entries up by their own address, and would
    otherwise fetch the page again on every read.
    """
    # A page without a site name gets its address as outlet: the feed's name is better.
    no_site_name = page.source is None or _is_address(page.source, page.url)
    # A page without a title gets one derived from its first sentence: the feed's is better.
    no_title = page.title == derive_title(page.body)
    return dataclasses.replace(
        page,
        title=entry.title if no_title and entry.title else page.title,
        source=entry.source if no_site_name and entry.source else page.source,
        published_at=page.published_at or entry.published_at,
        url=page.url if _same_address(page.url, entry.url) else entry.url,
        language=page.language or entry.language,
    )


@dataclasses.dataclass(frozen=True)
class PageLimits:
    max_pages: int = MAX_PAGES_PER_READ
    concurrency: int = PAGE_CONCURRENCY
    budget_seconds: float = PAGE_BUDGET_SECONDS


@dataclasses.dataclass(frozen=True)
class CompletedFeed:
    """A feed's entries to ingest, and the keys of those left out as indexed in full."""

    articles: tuple[Article, ...]
    indexed: tuple[str, ...] = ()


async def complete_teasers(
    entries: Sequence[Article],
    *,
    policy: FetchPolicy,
    known: KnownArticles | None = None,
    limits: PageLimits = PageLimits(),
) -> CompletedFeed:
    """The entries, in order, with teasers replaced by their pages' articles (see above).

    Never raises for a page: a failure keeps the teaser. `known` looks up stored articles
    by key: an entry stored with more text than its teaser is left out of `articles` (its
    key goes to `indexed`), so it is neither fetched nor ingested again, and never replaces
    a newer version that a page source of the same address stored meanwhile.
    """
    teasers = [i for i, entry in enumerate(entries) if is_teaser(entry)]
    if not teasers:
        return CompletedFeed(tuple(entries))
    result: list[Article | None] = list(entries)
    keys = {i: article_key(entries[i]) for i in teasers}
    stored = await known(set(keys.values())) if known is not None else {}
    indexed: list[str] = []
    to_fetch: list[int] = []
    for i in teasers:
        done = stored.get(keys[i])
        if done is not None and len(done.body) > len(entries[i].body):
            result[i] = None
            indexed.append(keys[i])
        else:
            to_fetch.append(i)
    if len(to_fetch) > limits.max_pages:
        log.info("feed read: %d teasers left for later reads", len(to_fetch) - limits.max_pages)
    gate = asyncio.Semaphore(limits.concurrency)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.budget_seconds

    async def one(i: int) -> None:
        async with gate:
            if loop.time() < deadline:
                result[i] = await _page_or_teaser(entries[i], policy)

    fetched = to_fetch[: limits.max_pages]
    await asyncio.gather(*(one(i) for i in fetched))
    _keep_teasers_of_shared_pages(result, entries, fetched)
    return CompletedFeed(tuple(a for a in result if a is not None), tuple(indexed))


def _keep_teasers_of_shared_pages(
    result: list[Article | None], entries: Sequence[Article], fetched: Sequence[int]
) -> None:
    """Two entries are two articles: when several links gave the same page text, that page
    is a cookie wall, a login or paywall page, or a home page the links redirect to, not
    their articles, so those entries keep their teasers."""
    pages = [i for i in fetched if result[i] is not entries[i] and result[i] is not None]
    bodies = Counter(_body(result[i]) for i in pages)
    for i in pages:
        if bodies[_body(result[i])] > 1:
            log.info(
                "linked page %s is shared by several entries: keeping the teaser", entries[i].url
            )
            result[i] = entries[i]


def _body(article: Article | None) -> str:
    return article.body if article is not None else ""


async def _page_or_teaser(entry: Article, policy: FetchPolicy) -> Article:
    assert entry.url is not None  # is_teaser checked it
    try:
        _, parsed = await fetch_articles(entry.url, policy=policy)
    except NewsbotError as exc:
        log.info("linked page %s not read (%s): keeping the teaser", entry.url, exc.user_message)
        return entry
    except Exception:  # a parser bug on odd markup must not lose the whole feed
        log.exception("reading linked page %s failed: keeping the teaser", entry.url)
        return entry
    # One article is a page; anything else (a feed, a listing) is not this entry's text.
    if len(parsed.articles) != 1 or len(parsed.articles[0].body) <= len(entry.body):
        log.info("linked page %s holds no longer article: keeping the teaser", entry.url)
        return entry
    return merge_page(entry, parsed.articles[0])


def _is_address(name: str, url: str | None) -> bool:
    """True when an outlet name is only the host (with or without port) of `url`."""
    if not url:
        return False
    try:
        netloc = urlsplit(url.strip()).netloc.rpartition("@")[2]
    except ValueError:
        return False
    spellings = {netloc.casefold().removeprefix("www."), host_of(url)}
    return name.casefold().removeprefix("www.") in spellings


def _same_address(page_url: str | None, entry_url: str | None) -> bool:
    if not page_url:
        return False
    return entry_url is None or normalize_url(page_url) == normalize_url(entry_url)


def _links_to_page(url: str | None) -> bool:
    return url is not None and url.strip().lower().startswith(("http://", "https://"))


async def fetch_with_pages(
    url: str, *, policy: FetchPolicy, limits: PageLimits = PageLimits()
) -> tuple[FetchResult, ParseResult]:
    """`fetch_articles` for a one-off ingest of an address: when it is a feed, its teasers
    come with their pages, as a registered feed's would."""
    result, parsed = await fetch_articles(url, policy=policy)
    if not parsed.articles or sniff_kind(result.content, result.content_type) is not Kind.FEED:
        return result, parsed
    completed = await complete_teasers(parsed.articles, policy=policy, limits=limits)
    return result, dataclasses.replace(parsed, articles=completed.articles)
