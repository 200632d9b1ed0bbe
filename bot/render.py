"""Answers, headlines and the index overview as Telegram HTML messages (pure).

Text is split as plain text first (see `bot/html_text.py`) and only then escaped and
linked, so no cut ever falls inside a tag or an entity. Each message is a `Fragment`
that knows its visible length, which keeps the 4096 limit exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from urllib.parse import urlsplit

from bot import messages
from bot.emulator_html import parse_html
from bot.html_text import (
    CITATION_MARKER,
    MAX_MESSAGE_LENGTH,
    escape,
    escape_attribute,
    split_plain,
    truncate,
    visible_length,
)
from bot.services import Headline, Overview
from retrieval.not_found import CLOSEST_HEADLINES
from retrieval.types import Answer, AnswerMode, Citation

MAX_TITLE = 300


@dataclass(frozen=True)
class Fragment:
    """A piece of Telegram HTML and the length of its visible text."""

    html: str
    length: int


def render_answer(
    answer: Answer, *, tz: tzinfo = UTC, limit: int = MAX_MESSAGE_LENGTH
) -> list[str]:
    """The answer as HTML messages: linked [n] markers, then a Sources list."""
    citations = sorted(answer.citations, key=lambda c: c.number)
    # "Not found" comes with the closest headlines: listed once, and not called sources.
    closest = answer.mode is AnswerMode.NOT_FOUND and bool(citations)
    text = (not_found_lead(answer.text) if closest else answer.text.strip()) or messages.NOT_FOUND
    urls = {c.number: _safe_url(c.passage.url) for c in answer.citations}
    body = [
        Fragment(link_markers(piece, urls), visible_length(piece))
        for piece in split_plain(text, limit)
    ]
    if not citations:
        return [fragment.html for fragment in body]
    title = messages.CLOSEST_HEADER if closest else messages.SOURCES_HEADER
    if closest:
        lines = [_prefixed("• ", _cited(c, tz)) for c in citations]
    else:
        lines = [_source_line(citation, tz) for citation in citations]
    first = Fragment(f"<b>{title}</b>\n{lines[0].html}", len(title) + 1 + lines[0].length)
    packed = _append(body, [first, *lines[1:]], "\n\n", "\n", limit)
    return [fragment.html for fragment in packed]


def render_partial(text: str, *, limit: int = MAX_MESSAGE_LENGTH) -> str | None:
    """A streaming answer so far: escaped, cut to fit, with a trailing ellipsis."""
    text = text.strip()
    if not text:
        return None
    suffix = messages.PARTIAL_SUFFIX
    return escape(truncate(text, limit - visible_length(suffix))) + suffix


def render_headlines(
    headlines: Iterable[Headline],
    topic: str | None = None,
    *,
    tz: tzinfo = UTC,
    limit: int = MAX_MESSAGE_LENGTH,
) -> list[str]:
    """/latest: a header and one line per headline (linked title, outlet, date)."""
    items = list(headlines)
    if not items:
        return [messages.latest_empty(topic)]
    header_html = messages.latest_header(topic)
    header = Fragment(header_html, _visible(header_html))
    lines = [_prefixed("• ", _titled(h.title, h.url, h.source, h.published_at, tz)) for h in items]
    return [f.html for f in _append([header], lines, "\n", "\n", limit)]


def render_sources_overview(
    overview: Overview, *, tz: tzinfo = UTC, limit: int = MAX_MESSAGE_LENGTH
) -> list[str]:
    """/sources: article count, date range, and articles per outlet."""
    if overview.article_count == 0:
        return [messages.SOURCES_EMPTY]
    dates = _date_span(overview.first_published, overview.last_published, tz)
    # Articles without an outlet get their own line, so the counts add up to the header's
    # (which says how many there are, rather than counting that line as an outlet).
    unattributed = max(0, overview.article_count - sum(o.articles for o in overview.outlets))
    header_html = messages.overview_header(
        overview.article_count, len(overview.outlets), dates, unattributed
    )
    header = Fragment(header_html, _visible(header_html))
    outlet_lines = [messages.outlet_line(o.name, o.articles) for o in overview.outlets]
    if unattributed > 0:
        outlet_lines.append(messages.no_outlet_line(unattributed))
    lines = [Fragment(html, _visible(html)) for html in outlet_lines]
    return [f.html for f in _append([header], lines, "\n\n", "\n", limit)]


def link_markers(plain: str, urls: Mapping[int, str | None]) -> str:
    """Escape plain text and turn each [n] with a known URL into a link (same visible text)."""
    out: list[str] = []
    previous = 0
    for match in CITATION_MARKER.finditer(plain):
        out.append(escape(plain[previous : match.start()]))
        out.append(_linked_marker(match.group(), urls))
        previous = match.end()
    out.append(escape(plain[previous:]))
    return "".join(out)


def _linked_marker(marker: str, urls: Mapping[int, str | None]) -> str:
    inner = marker[1:-1]
    numbers = [part.strip() for part in inner.split(",")]
    if len(numbers) == 1:
        url = urls.get(int(numbers[0]))
        return f'<a href="{escape_attribute(url)}">{escape(marker)}</a>' if url else marker
    out: list[str] = []
    previous = 0
    for number in numbers:
        at = inner.index(number, previous)
        out.append(escape(inner[previous:at]))
        url = urls.get(int(number))
        out.append(f'<a href="{escape_attribute(url)}">{number}</a>' if url else number)
        previous = at + len(number)
    out.append(escape(inner[previous:]))
    return "[" + "".join(out) + "]"


def not_found_lead(text: str) -> str:
    """A "not found" answer's text without its own list of closest headlines (pure)."""
    return text.partition(CLOSEST_HEADLINES)[0].strip()


def _source_line(citation: Citation, tz: tzinfo) -> Fragment:
    return _prefixed(f"{citation.number}. ", _cited(citation, tz))


def _cited(citation: Citation, tz: tzinfo) -> Fragment:
    passage = citation.passage
    return _titled(passage.title, passage.url, passage.source, passage.published_at, tz)


def _titled(
    title: str, url: str | None, source: str | None, published: datetime | None, tz: tzinfo
) -> Fragment:
    """`title — outlet, date`, the title linked when the URL is a web address."""
    title = truncate(" ".join(title.split()) or "Untitled", MAX_TITLE)
    safe = _safe_url(url)
    linked = f'<a href="{escape_attribute(safe)}">{escape(title)}</a>' if safe else escape(title)
    details = [truncate(" ".join(source.split()), 80)] if source and source.strip() else []
    if published is not None:
        details.append(format_date(published, tz))
    tail = " — " + ", ".join(details) if details else ""
    return Fragment(linked + escape(tail), visible_length(title) + visible_length(tail))


def _prefixed(prefix: str, fragment: Fragment) -> Fragment:
    return Fragment(escape(prefix) + fragment.html, visible_length(prefix) + fragment.length)


def format_date(moment: datetime, tz: tzinfo = UTC) -> str:
    """`30 Nov 2025` in the bot's timezone (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y}"


def _date_span(first: datetime | None, last: datetime | None, tz: tzinfo) -> str | None:
    if first is None or last is None:
        return None
    start, end = format_date(first, tz), format_date(last, tz)
    return start if start == end else f"{start} to {end}"


def _safe_url(url: str | None) -> str | None:
    """Only http(s) addresses become links; anything else is shown as plain text."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _visible(html: str) -> int:
    """Visible length of HTML built in bot/messages.py (parsed the way Telegram does)."""
    return visible_length(parse_html(html).text)


def _append(
    first: list[Fragment],
    more: list[Fragment],
    first_separator: str,
    separator: str,
    limit: int,
) -> list[Fragment]:
    """Add fragments to the last message while they fit; never cut a fragment in two."""
    packed = list(first)
    join = first_separator
    for fragment in more:
        last = packed[-1] if packed else None
        if last is not None and last.length + len(join) + fragment.length <= limit:
            packed[-1] = Fragment(
                last.html + join + fragment.html, last.length + len(join) + fragment.length
            )
        else:
            packed.append(fragment)
        join = separator
    return packed
