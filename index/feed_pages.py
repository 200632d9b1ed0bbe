"""Feed entries that are only teasers, completed from the pages they link to.

Most news feeds carry a sentence or two per entry and keep the article on the linked page.
An entry whose text is short (or ends like a cut-off summary) and that links to a web page
is replaced by that page's article, extracted as a page source would be; the feed's title,
date and outlet fill in what the page lacks. When the page cannot be fetched, holds no
article, or holds less text than the teaser, the teaser is kept.

Bounded, because feeds are re-read often: at most `max_pages` pages per read, `concurrency`
at a time, none started after `budget_seconds`, each under the fetch policy's own timeout and
size limit; `on_pages` hears of the page fetches as they go (for progress messages). An
entry already stored with more text than its teaser is neither fetched nor ingested again:
only its key is passed on, so the source still counts it. An entry whose page failed keeps
its teaser and is tried again on the next read.

Two entries are two articles, so a text that stands for more than one entry is none of
theirs: a cookie wall, a login or paywall page, or a home page their links redirect to.
Such an entry keeps its teaser (and is tried again on the next read) when its page gives
the same text as another entry's page in this read, as another entry of the feed has
stored, or (with `owners`) as an article stored under another address. An entry stored
with such a text goes back to its teaser, so the store is repaired and the next read
fetches it again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from urllib.parse import urlsplit

from index.errors import NewsbotError
from index.fetch import FetchPolicy, FetchResult, fetch_articles
from index.identity import article_key, content_hash, normalize_url
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
# Identity keys of the stored articles by content hash, among the hashes asked for.
TextOwners = Callable[[Collection[str]], Awaitable[Mapping[str, Collection[str]]]]
# Told of page fetches as increments: (n, 0) when a read plans n of them, (0, 1) as each ends
# (fetched or skipped for the time budget). Called on the event loop; it must not raise.
PagesCallback = Callable[[int, int], None]


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
    """A feed's entries to ingest, and the keys of those left out as indexed in full;
    `pages_fetched` linked pages were requested, `pages_read` of them gave their entry's
    article (the others kept their teasers)."""

    articles: tuple[Article, ...]
    indexed: tuple[str, ...] = ()
    pages_fetched: int = 0
    pages_read: int = 0


async def complete_teasers(
    entries: Sequence[Article],
    *,
    policy: FetchPolicy,
    known: KnownArticles | None = None,
    owners: TextOwners | None = None,
    limits: PageLimits = PageLimits(),
    on_pages: PagesCallback | None = None,
) -> CompletedFeed:
    """The entries, in order, with teasers replaced by their pages' articles (see above).

    Never raises for a page: a failure keeps the teaser. `known` looks up stored articles
    by key: an entry stored with more text than its teaser is left out of `articles` (its
    key goes to `indexed`), so it is neither fetched nor ingested again, and never replaces
    a newer version that a page source of the same address stored meanwhile. `owners`
    looks up stored articles by content hash: a page stored under another key is not kept.
    """
    teasers = [i for i, entry in enumerate(entries) if is_teaser(entry)]
    if not teasers:
        return CompletedFeed(tuple(entries))
    result: list[Article | None] = list(entries)
    keys = {i: article_key(entries[i]) for i in teasers}
    stored = await known(set(keys.values())) if known is not None else {}
    to_fetch: list[int] = []
    for i in teasers:
        done = stored.get(keys[i])
        if done is not None and len(done.body) > len(entries[i].body):
            result[i] = None
        else:
            to_fetch.append(i)
    if len(to_fetch) > limits.max_pages:
        log.info("feed read: %d teasers left for later reads", len(to_fetch) - limits.max_pages)
    gate = asyncio.Semaphore(limits.concurrency)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limits.budget_seconds

    page_keys: dict[int, str] = {}  # the address each page names (canonical or final URL)

    async def one(i: int) -> None:
        async with gate:
            if loop.time() < deadline:
                result[i], page_keys[i] = await _page_or_teaser(entries[i], policy)
        if on_pages is not None:
            on_pages(0, 1)

    fetched = to_fetch[: limits.max_pages]
    if on_pages is not None and fetched:
        on_pages(len(fetched), 0)
    await asyncio.gather(*(one(i) for i in fetched))
    pages = {i: a for i in fetched if (a := result[i]) is not None and a is not entries[i]}
    texts = [_Text(i, _text(a.body), keys[i], page_keys[i]) for i, a in pages.items()]
    texts += [
        _Text(i, _text(stored[keys[i]].body), keys[i], keys[i])
        for i in teasers
        if result[i] is None
    ]
    shared = _shared_texts(texts)
    if owners is not None:
        shared |= await _stored_elsewhere(pages, keys, page_keys, owners)
    for i in sorted(shared):
        log.info("linked page %s gives another article's text: keeping the teaser", entries[i].url)
        result[i] = entries[i]
    kept = tuple(keys[i] for i in teasers if result[i] is None)
    return CompletedFeed(
        tuple(a for a in result if a is not None),
        kept,
        pages_fetched=len(page_keys),
        pages_read=len(pages.keys() - shared),
    )


@dataclasses.dataclass(frozen=True)
class _Text:
    """An entry's text: its page's (`page_key` the address the page names) or its stored one."""

    entry: int
    text: str
    key: str
    page_key: str


def _shared_texts(texts: Sequence[_Text]) -> set[int]:
    """The entries whose text is also another entry's, unless one of the two pages names
    the other's address (then it is that article, under another spelling of its link)."""
    by_text: dict[str, list[_Text]] = {}
    for t in texts:
        by_text.setdefault(t.text, []).append(t)
    return {
        t.entry
        for group in by_text.values()
        for t in group
        if any(o.key != t.key and o.page_key != t.key and t.page_key != o.key for o in group)
    }


async def _stored_elsewhere(
    pages: Mapping[int, Article],
    keys: Mapping[int, str],
    page_keys: Mapping[int, str],
    owners: TextOwners,
) -> set[int]:
    """The entries whose page is stored under a key that is neither the entry's nor the
    address the page names: ingesting it would only count a duplicate, and lose the entry."""
    if not pages:
        return set()
    hashes = {i: content_hash(a.title, a.body) for i, a in pages.items()}
    found = await owners(set(hashes.values()))
    return {i for i, h in hashes.items() if set(found.get(h, ())) - {keys[i], page_keys[i]}}


def _text(body: str) -> str:
    return " ".join(body.split()).casefold()


async def _page_or_teaser(entry: Article, policy: FetchPolicy) -> tuple[Article, str]:
    """The entry completed from its page, or the entry; and the address the page names
    (its canonical link or final URL; the entry's own key when there is no page)."""
    assert entry.url is not None  # is_teaser checked it
    own = article_key(entry)
    try:
        result, parsed = await fetch_articles(entry.url, policy=policy)
    except NewsbotError as exc:
        log.info("linked page %s not read (%s): keeping the teaser", entry.url, exc.user_message)
        return entry, own
    except Exception:  # a parser bug on odd markup must not lose the whole feed
        log.exception("reading linked page %s failed: keeping the teaser", entry.url)
        return entry, own
    # One article is a page; anything else (a feed, a listing) is not this entry's text.
    if len(parsed.articles) != 1 or len(parsed.articles[0].body) <= len(entry.body):
        log.info("linked page %s holds no longer article: keeping the teaser", entry.url)
        return entry, own
    page = parsed.articles[0]
    return merge_page(entry, page), normalize_url(page.url or result.url)


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
