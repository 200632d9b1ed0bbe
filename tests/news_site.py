"""A small news site on 127.0.0.1 for refresh and admin tests: a feed, pages and faults.

Routes: `/feed.xml` (RSS of `items`, with ETag and Last-Modified; 304 to matching
conditional requests), `/story/<slug>` (an article page), `/missing.xml` (404),
`/broken.xml` (served as RSS but not a feed), `/slow.xml` (answers after `slow_seconds`,
or never: the wait ends when the site closes, so a long one does not slow shutdown).
`/teasers.xml` is RSS of `items` whose descriptions are cut to `TEASER_CHARS` (as most news
feeds do), linking to `/story/<slug>`, or with `?bare=1` to `/bare/<slug>` (the page without
a site name or date), or with `?tracked=1` to `/story/<slug>?at_medium=RSS` (a tracking
parameter the story page's canonical link leaves out, as BBC's feeds do); it sends no
validators, so every read gets the whole feed. A slug in `redirects` answers `/story/<slug>`
with a 302 to the path it maps to (a cookie or consent wall the links are sent to).

`FETCH_TIMEOUT` is the fetch timeout for tests against the site: generous, since a loaded
machine can take seconds to fetch even a quick page, and far below `slow_seconds`, so
`/slow.xml` always times out.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import Self

from aiohttp import web

LAST_MODIFIED = "Mon, 13 Jun 2022 08:30:00 GMT"
TEASER_CHARS = 120
FETCH_TIMEOUT = 5.0


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    body: str
    published: datetime = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def story(slug: str, topic: str, n: int = 1) -> Story:
    """A story with enough distinct text to be an article of its own."""
    sentences = " ".join(
        f"Sentence {i} of the {topic} report adds detail number {i * n} about {topic}."
        for i in range(1, 12)
    )
    return Story(
        slug, f"{topic.capitalize()} update {n}", f"{topic.capitalize()} news. {sentences}"
    )


@dataclass
class NewsSite:
    items: list[Story] = field(default_factory=list)
    pages: dict[str, Story] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    slow_seconds: float = 60.0
    requests: list[str] = field(default_factory=list)
    not_modified: int = 0
    base: str = ""
    _runner: web.AppRunner | None = None
    _closing: asyncio.Event = field(default_factory=asyncio.Event)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/feed.xml", self._feed)
        app.router.add_get("/story/{slug}", self._story)
        app.router.add_get("/missing.xml", self._missing)
        app.router.add_get("/broken.xml", self._broken)
        app.router.add_get("/slow.xml", self._slow)
        app.router.add_get("/teasers.xml", self._teasers)
        app.router.add_get("/bare/{slug}", self._bare)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._closing.set()  # release /slow.xml requests still waiting
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def rss(self, *, teasers: bool = False, pages: str = "/story/", query: str = "") -> bytes:
        entries = "".join(
            "<item>"
            f"<title>{escape(s.title)}</title>"
            f"<link>{escape(self.url(pages + s.slug + query))}</link>"
            f"<guid>{escape(self.url(pages + s.slug + query))}</guid>"
            f"<pubDate>{format_datetime(s.published)}</pubDate>"
            f"<description>{escape(s.body[:TEASER_CHARS] if teasers else s.body)}</description>"
            "</item>"
            for s in self.items
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            "<title>Test Gazette</title><link>http://127.0.0.1/</link>"
            f"{entries}</channel></rss>"
        ).encode()

    async def _feed(self, request: web.Request) -> web.Response:
        self.requests.append("/feed.xml")
        body = self.rss()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304)
        return web.Response(
            body=body,
            content_type="application/rss+xml",
            headers={"ETag": etag, "Last-Modified": LAST_MODIFIED},
        )

    async def _story(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        self.requests.append(f"/story/{slug}")
        if slug in self.redirects:
            raise web.HTTPFound(self.redirects[slug])
        page = self.pages.get(slug)
        if page is None:
            raise web.HTTPNotFound()
        paragraphs = "".join(f"<p>{escape(p)}.</p>" for p in page.body.split(". ") if p)
        html = (
            f"<html><head><title>{escape(page.title)}</title>"
            "<meta property='og:site_name' content='Test Herald'>"
            f"<link rel='canonical' href='{self.url('/story/' + slug)}'>"
            f"<meta property='article:published_time' content='{page.published.isoformat()}'>"
            f"</head><body><article><h1>{escape(page.title)}</h1>{paragraphs}</article>"
            "</body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def _teasers(self, request: web.Request) -> web.Response:
        self.requests.append("/teasers.xml")
        pages = "/bare/" if request.query.get("bare") else "/story/"
        query = "?at_medium=RSS" if request.query.get("tracked") else ""
        body = self.rss(teasers=True, pages=pages, query=query)
        return web.Response(body=body, content_type="application/rss+xml")

    async def _bare(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        self.requests.append(f"/bare/{slug}")
        page = self.pages.get(slug)
        if page is None:
            raise web.HTTPNotFound()
        paragraphs = "".join(f"<p>{escape(p)}.</p>" for p in page.body.split(". ") if p)
        html = (
            f"<html><head><title>{escape(page.title)}</title></head><body><article>"
            f"<h1>{escape(page.title)}</h1>{paragraphs}</article></body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    async def _missing(self, request: web.Request) -> web.Response:
        self.requests.append("/missing.xml")
        raise web.HTTPNotFound()

    async def _broken(self, request: web.Request) -> web.Response:
        self.requests.append("/broken.xml")
        return web.Response(body=b"this is {not} a feed at all", content_type="application/rss+xml")

    async def _slow(self, request: web.Request) -> web.Response:
        self.requests.append("/slow.xml")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), self.slow_seconds)
        return web.Response(body=self.rss(), content_type="application/rss+xml")
