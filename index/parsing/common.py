"""Shared rules of every parser: limits, the checks an article must pass, derived titles."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from index.errors import ParseError
from index.parsing.back_matter import strip_back_matter
from index.types import Article, ParseFailure

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024  # whole-file formats; JSON Lines are streamed instead
MAX_TITLE_CHARS = 500
TITLE_WORDS = 12

# One article or one failure: what parsers yield, so one bad record never stops a batch.
ParseItem = Article | ParseFailure

_DATELINE_PARA = re.compile(r"^.{0,60}?(?:[—–]|--?|:)$")  # "New York CNN —"
_LEADING_DATELINE = re.compile(r"^\([^()]{1,40}\)\s*(?:[—–]|--?)?\s*")  # "(CNN) —", "(Seoul)"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


def build_article(
    *,
    title: str | None,
    body: str | None,
    source: str | None = None,
    published_at: datetime | None = None,
    url: str | None = None,
    language: str | None = None,
) -> Article:
    """The one place an Article is made: empty bodies refused, missing titles derived."""
    body = strip_back_matter(_clean_chars(body or "")).strip()
    if not body:
        raise ParseError("no body text")
    title = " ".join(_clean_chars(title or "").split())
    if not title:
        title = derive_title(body)
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return Article(
        title=title,
        body=body,
        source=_clean_optional(source),
        published_at=published_at,
        url=_clean_optional(url),
        language=_clean_optional(language),
    )


def derive_title(body: str) -> str:
    """A title from the body's first sentence, cut to about twelve words."""
    paragraphs = [" ".join(p.split()) for p in body.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    # Skip a short dateline paragraph ("New York CNN —") when real text follows.
    while (
        len(paragraphs) > 1
        and len(paragraphs[0].split()) <= 6
        and _DATELINE_PARA.match(paragraphs[0])
    ):
        paragraphs.pop(0)
    text = _LEADING_DATELINE.sub("", paragraphs[0]) if paragraphs else ""
    text = text or (paragraphs[0] if paragraphs else "")
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    words = sentence.split()
    if len(words) > TITLE_WORDS:
        return " ".join(words[:TITLE_WORDS]).rstrip(",;:—–-") + "…"
    return " ".join(words)


def host_of(url: str | None) -> str | None:
    """The host of a URL without a leading "www.", lowercased; None when there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.") or None


def failure_from(name: str, exc: ParseError) -> ParseFailure:
    return ParseFailure(name=name, reason=exc.user_message)


def _clean_chars(text: str) -> str:
    """Drop NUL characters and lone surrogates (from JSON escapes): databases refuse both."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text


def _clean_optional(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(_clean_chars(str(value)).split())
    return value or None
