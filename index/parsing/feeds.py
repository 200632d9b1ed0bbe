"""RSS and Atom feeds (feedparser): each entry becomes an article."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser

from index.errors import ParseError
from index.parsing.common import ParseItem, build_article, failure_from, host_of
from index.parsing.dates import parse_date
from index.parsing.html_text import html_to_text
from index.types import ParseFailure

logger = logging.getLogger(__name__)

_FEED_ROOT = re.compile(rb"<(?:[a-z0-9_-]+:)?(?:rss|feed|rdf)\b", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:html|body|head)\b", re.IGNORECASE)


def looks_like_feed(head: bytes) -> bool:
    """True when the first element of the document is an RSS, Atom or RDF root."""
    feed = _FEED_ROOT.search(head)
    if feed is None:
        return False
    html = _HTML_ROOT.search(head)
    return html is None or feed.start() < html.start()


def iter_feed(
    data: bytes, *, name: str, url: str | None = None, content_type: str | None = None
) -> Iterator[ParseItem]:
    """Articles of a feed document; failures for entries without text."""
    headers = {}
    if url:
        headers["content-location"] = url  # lets feedparser resolve relative links
    if content_type:
        headers["content-type"] = content_type
    try:
        # Always bytes: given a str, feedparser would treat it as a path or URL and read it.
        parsed = feedparser.parse(data, response_headers=headers)
    except Exception:  # a third-party parser on untrusted bytes: report, never crash the batch
        logger.debug("feedparser failed on %s", name, exc_info=True)
        yield ParseFailure(name=name, reason="the feed could not be read")
        return
    if not parsed.get("version"):  # feedparser recognised no feed format
        yield ParseFailure(name=name, reason="not an RSS or Atom feed")
        return
    feed: dict[str, Any] = parsed.get("feed") or {}
    source = _plain(feed.get("title")) or host_of(feed.get("link")) or host_of(url)
    language = feed.get("language")
    # feedparser recovers what it can from broken XML (a truncated file): entries read
    # before the break are kept; the broken one is reported as malformed, not as empty.
    malformed = _malformed_reason(parsed)
    entries = parsed.get("entries") or []
    if malformed is not None and not entries:
        yield ParseFailure(name=name, reason=malformed)
        return
    for index, entry in enumerate(entries, start=1):
        link = entry.get("link") or None
        try:
            yield build_article(
                title=_plain(entry.get("title")),
                body=_entry_body(entry),
                source=source,
                published_at=_entry_date(entry),
                url=link,
                language=entry.get("language") or language,
            )
        except ParseError as exc:
            failure = failure_from(link or f"{name}#{index}", exc)
            if malformed is not None:
                failure = ParseFailure(name=failure.name, reason=malformed)
            yield failure


def _malformed_reason(parsed: Any) -> str | None:
    """'malformed XML (line L, column C: why)' when the feed is not well-formed XML."""
    error = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not isinstance(error, SAXParseException):  # e.g. an encoding override: harmless
        return None
    return (
        f"malformed XML (line {error.getLineNumber()}, column {error.getColumnNumber()}: "
        f"{error.getMessage()}); the feed may be cut off"
    )


def _entry_body(entry: dict[str, Any]) -> str:
    """The longest text the entry offers: full content beats the summary."""
    candidates: list[tuple[str, str | None]] = [
        (part.get("value") or "", part.get("type"))
        for part in entry.get("content") or []
        if isinstance(part, dict)
    ]
    detail = entry.get("summary_detail") or {}
    candidates.append((entry.get("summary") or "", detail.get("type")))
    texts = [value if kind == "text/plain" else html_to_text(value) for value, kind in candidates]
    return max(texts, key=len, default="")


def _entry_date(entry: dict[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if isinstance(parsed, time.struct_time):
            try:
                return parse_date(datetime(*parsed[:6], tzinfo=UTC))
            except (TypeError, ValueError):
                continue
    for key in ("published", "updated", "created"):
        moment = parse_date(entry.get(key))
        if moment is not None:
            return moment
    return None


def _plain(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return " ".join(html_to_text(value).split()) or None
