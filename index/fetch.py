"""Fetching article URLs safely: http(s) only, public addresses only, bounded size and time.

Every hop (the first request and each redirect) is resolved and checked before it is
requested, and the request then goes to the checked address itself (the Host header and TLS
server name keep the real host), so a name cannot re-resolve to a private address in between.
Such a connection is keyed by the address alone, so it is never reused (`Connection: close`):
another host on the same address must not ride on it. A shared client must stay on HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import socket
from dataclasses import dataclass

import httpx

from index.errors import FetchError
from index.parsing import parse_document
from index.types import ParseResult

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = 5_000_000
    timeout_seconds: float = 15.0  # for the whole fetch, redirects included
    allow_private: bool = False  # True only for tests and intranet deployments
    user_agent: str = "newsbot/0.1"


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False


async def fetch_url(
    url: str,
    *,
    policy: FetchPolicy,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> FetchResult:
    """GET `url` under `policy`; a 304 to the conditional headers gives `not_modified=True`.

    Raises FetchError (with a message safe to show a user) for refused addresses, network
    errors, timeouts, HTTP errors, too many redirects and bodies larger than `max_bytes`.
    """
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            if client is not None:
                return await _fetch(url, policy, etag, last_modified, client)
            async with httpx.AsyncClient(trust_env=False, follow_redirects=False) as own:
                return await _fetch(url, policy, etag, last_modified, own)
    except TimeoutError as exc:
        raise FetchError("The site took too long to answer.") from exc


async def fetch_articles(
    url: str,
    *,
    policy: FetchPolicy,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> tuple[FetchResult, ParseResult]:
    """Fetch `url` and parse what came back (feed, page, JSON); nothing to parse on a 304."""
    result = await fetch_url(
        url, policy=policy, etag=etag, last_modified=last_modified, client=client
    )
    if result.not_modified:
        return result, ParseResult()
    # Extraction is CPU work (trafilatura): keep it off the event loop.
    parsed = await asyncio.to_thread(
        parse_document,
        result.content,
        name=result.url,
        content_type=result.content_type,
        url=result.url,
    )
    return result, parsed


async def _fetch(
    url: str,
    policy: FetchPolicy,
    etag: str | None,
    last_modified: str | None,
    client: httpx.AsyncClient,
) -> FetchResult:
    current = _checked_url(url)
    for _ in range(MAX_REDIRECTS + 1):
        addresses = await _resolve(current, policy)
        headers = _headers(current, policy, etag, last_modified)
        outcome = await _get(client, current, addresses, headers, policy)
        if isinstance(outcome, FetchResult) and outcome.not_modified:
            # A 304 need not repeat the validators: keep the ones the caller sent.
            return dataclasses.replace(
                outcome,
                etag=outcome.etag or etag,
                last_modified=outcome.last_modified or last_modified,
            )
        if isinstance(outcome, FetchResult):
            return outcome
        current = outcome
    raise FetchError("The site redirected too many times.")


async def _get(
    client: httpx.AsyncClient,
    url: httpx.URL,
    addresses: list[str],
    headers: dict[str, str],
    policy: FetchPolicy,
) -> FetchResult | httpx.URL:
    """One hop: the result, or the checked URL a redirect points to.

    The addresses are tried in resolver order until one accepts the connection.
    """
    for index, address in enumerate(addresses):
        try:
            async with client.stream(
                "GET",
                url.copy_with(host=address),
                headers=headers,
                follow_redirects=False,
                timeout=policy.timeout_seconds,
                extensions={"sni_hostname": _host(url)} if url.scheme == "https" else {},
            ) as response:
                location = response.headers.get("location")
                if response.status_code in _REDIRECT_STATUSES and location:
                    return _checked_url(str(url.join(location)))
                return await _result(url, response, policy)
        except httpx.ConnectError as exc:
            if index + 1 < len(addresses):
                logger.debug("connecting to %s at %s failed, trying the next address", url, address)
                continue
            raise FetchError("The site could not be reached.") from exc
        except httpx.TimeoutException as exc:
            raise FetchError("The site took too long to answer.") from exc
        except httpx.HTTPError as exc:
            logger.debug("fetching %s failed: %r", url, exc)
            raise FetchError("The site could not be reached.") from exc
    raise FetchError("The host name could not be found.")


async def _result(url: httpx.URL, response: httpx.Response, policy: FetchPolicy) -> FetchResult:
    status = response.status_code
    headers = response.headers
    if status == 304:
        content = b""
    elif 200 <= status < 300:
        content = await _read_limited(response, policy.max_bytes)
    elif status >= 400:
        raise FetchError(f"The site answered with HTTP {status}.")
    else:
        raise FetchError(f"The site gave an unexpected answer (HTTP {status}).")
    return FetchResult(
        url=str(url),
        status=status,
        content=content,
        content_type=headers.get("content-type"),
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        not_modified=status == 304,
    )


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    too_large = FetchError(f"The page is larger than the {max_bytes:,} byte limit.")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():  # decoded bytes: a gzip bomb stops here too
        total += len(chunk)
        if total > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError("That is not a valid web address.") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError("Only http:// and https:// addresses can be fetched.")
    if not parsed.raw_host:
        raise FetchError("That address has no host name.")
    return parsed.copy_with(fragment=None)


async def _resolve(url: httpx.URL, policy: FetchPolicy) -> list[str]:
    """The addresses to connect to, after checking every address the host resolves to."""
    host = _host(url)
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = await _lookup(host, url.port or (443 if url.scheme == "https" else 80))
    if not policy.allow_private and not all(_is_public(address) for address in addresses):
        raise FetchError("That address points to a private or local network, which is not allowed.")
    return addresses


async def _lookup(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
        raise FetchError("The host name could not be found.") from exc
    addresses = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not addresses:
        raise FetchError("The host name could not be found.")
    return addresses


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, private, link-local, shared (CGNAT) and reserved ranges.
    return ip.is_global and not ip.is_multicast


def _host(url: httpx.URL) -> str:
    return url.raw_host.decode("ascii")


def _headers(
    url: httpx.URL, policy: FetchPolicy, etag: str | None, last_modified: str | None
) -> dict[str, str]:
    host = _host(url)
    host = f"[{host}]" if ":" in host else host
    headers = {
        "Host": f"{host}:{url.port}" if url.port is not None else host,
        "User-Agent": policy.user_agent,
        "Accept": _ACCEPT,
        "Connection": "close",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers
