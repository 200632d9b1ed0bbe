"""Fetching over real HTTP from a local aiohttp server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from aiohttp import web

from index.errors import FetchError
from index.fetch import FetchPolicy, fetch_articles, fetch_url
from index.types import ParseResult

LAST_MODIFIED = "Mon, 13 Jun 2022 08:30:00 GMT"
LOCAL = FetchPolicy(allow_private=True, timeout_seconds=5.0)
PAGE = (
    b"<html><head><title>Harbour news</title>"
    b"<meta property='og:site_name' content='Harbour News'></head><body><article>"
    b"<p>The harbour reopened on Monday after a week of repairs to the breakwater, and the "
    b"first ferries left on time.</p><p>Fishermen said the repairs came just in time for "
    b"the start of the season, which begins next week.</p></article></body></html>"
)
RSS = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>Harbour feed</title>"
    b"<item><title>Ferries back</title><link>https://harbour.example/ferries</link>"
    b"<description>Ferries run again.</description></item></channel></rss>"
)


@dataclass
class Server:
    base: str
    seen: list[web.Request] = field(default_factory=list)


async def _page(request: web.Request) -> web.Response:
    return web.Response(body=PAGE, content_type="text/html", charset="utf-8")


async def _feed(request: web.Request) -> web.Response:
    return web.Response(body=RSS, content_type="application/rss+xml")


async def _conditional(request: web.Request) -> web.Response:
    validators = (request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"))
    if validators == ('"v1"', LAST_MODIFIED):
        return web.Response(status=304)  # validators not repeated
    return web.Response(
        body=RSS,
        content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED},
    )


async def _big(request: web.Request) -> web.Response:
    return web.Response(body=b"x" * 5000, content_type="text/plain")


async def _big_streamed(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/plain"})
    response.enable_chunked_encoding()  # no Content-Length: only counting can stop it
    await response.prepare(request)
    for _ in range(50):
        await response.write(b"y" * 500)
    await response.write_eof()
    return response


RELEASE = web.AppKey("release", asyncio.Event)


async def _slow(request: web.Request) -> web.Response:
    # Held until the test ends (not a fixed sleep), so server shutdown does not wait for it.
    await request.app[RELEASE].wait()
    return web.Response(text="late")


async def _missing(request: web.Request) -> web.Response:
    return web.Response(status=404, text="gone")


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.query.get("to", "/page"))


async def _loop(request: web.Request) -> web.Response:
    raise web.HTTPFound("/loop")


async def _host(request: web.Request) -> web.Response:
    headers = request.headers
    return web.Response(text=f"{request.host}|{headers['User-Agent']}|{headers['Connection']}")


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    app = web.Application()
    app[RELEASE] = asyncio.Event()
    app.add_routes(
        [
            web.get("/page", _page),
            web.get("/feed", _feed),
            web.get("/conditional", _conditional),
            web.get("/big", _big),
            web.get("/big-streamed", _big_streamed),
            web.get("/slow", _slow),
            web.get("/missing", _missing),
            web.get("/redirect", _redirect),
            web.get("/loop", _loop),
            web.get("/host", _host),
        ]
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    try:
        yield Server(base=f"http://127.0.0.1:{sock.getsockname()[1]}")
    finally:
        app[RELEASE].set()
        await runner.cleanup()


async def test_fetches_and_parses_a_page(server: Server) -> None:
    result, parsed = await fetch_articles(f"{server.base}/page", policy=LOCAL)

    assert result.status == 200
    assert result.content == PAGE
    assert str(result.content_type).startswith("text/html")
    (article,) = parsed.articles
    assert article.title == "Harbour news"
    assert article.source == "Harbour News"
    assert article.url == f"{server.base}/page"
    assert article.body.startswith("The harbour reopened on Monday")


async def test_fetches_and_parses_a_feed_with_a_shared_client(server: Server) -> None:
    async with httpx.AsyncClient() as client:
        _, parsed = await fetch_articles(f"{server.base}/feed", policy=LOCAL, client=client)

    assert [(a.title, a.source, a.url) for a in parsed.articles] == [
        ("Ferries back", "Harbour feed", "https://harbour.example/ferries")
    ]


async def test_conditional_request_gives_not_modified(server: Server) -> None:
    first = await fetch_url(f"{server.base}/conditional", policy=LOCAL)
    assert (first.status, first.etag, first.not_modified) == (200, '"v1"', False)
    assert first.last_modified == LAST_MODIFIED

    second, parsed = await fetch_articles(
        f"{server.base}/conditional",
        policy=LOCAL,
        etag=first.etag,
        last_modified=first.last_modified,
    )
    assert (second.status, second.not_modified, second.content) == (304, True, b"")
    assert (second.etag, second.last_modified) == (first.etag, first.last_modified)
    assert parsed == ParseResult()


async def test_redirect_is_followed_and_reported(server: Server) -> None:
    result = await fetch_url(f"{server.base}/redirect#top", policy=LOCAL)

    assert result.url == f"{server.base}/page"
    assert result.content == PAGE


async def test_host_name_and_user_agent_reach_the_server(server: Server) -> None:
    port = server.base.rsplit(":", 1)[1]
    policy = FetchPolicy(allow_private=True, user_agent="newsbot-test/1")

    result = await fetch_url(f"http://localhost:{port}/host", policy=policy)

    assert result.content == f"localhost:{port}|newsbot-test/1|close".encode()


@pytest.mark.parametrize(
    ("path", "policy", "message"),
    [
        ("/missing", LOCAL, "HTTP 404"),
        ("/big", FetchPolicy(allow_private=True, max_bytes=1000), "larger than"),
        ("/big-streamed", FetchPolicy(allow_private=True, max_bytes=1000), "larger than"),
        ("/slow", FetchPolicy(allow_private=True, timeout_seconds=0.3), "too long"),
        ("/loop", LOCAL, "redirected too many times"),
        ("/redirect?to=ftp://example.com/file", LOCAL, "Only http"),
        ("/redirect?to=file:///etc/passwd", LOCAL, "Only http"),
    ],
)
async def test_failures_from_the_server(
    server: Server, path: str, policy: FetchPolicy, message: str
) -> None:
    with pytest.raises(FetchError, match=message) as caught:
        await fetch_url(f"{server.base}{path}", policy=policy)
    assert caught.value.user_message == str(caught.value)


async def test_private_addresses_are_refused_by_default(server: Server) -> None:
    port = server.base.rsplit(":", 1)[1]
    policy = FetchPolicy()
    for url in [
        f"http://127.0.0.1:{port}/page",
        f"http://localhost:{port}/page",  # a name that resolves to loopback
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ]:
        with pytest.raises(FetchError, match="private or local network"):
            await fetch_url(url, policy=policy)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "Only http"),
        ("ftp://example.com/x", "Only http"),
        ("javascript:alert(1)", "Only http"),
        ("http:///nohost", "no host name"),
        ("http://[::1/", "not a valid web address"),
        ("http://example.com:notaport/", "not a valid web address"),
    ],
)
async def test_bad_addresses_are_refused_before_any_request(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        await fetch_url(url, policy=FetchPolicy())


async def test_connection_refused() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now

    with pytest.raises(FetchError, match="could not be reached") as caught:
        await fetch_url(f"http://127.0.0.1:{port}/", policy=LOCAL)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
