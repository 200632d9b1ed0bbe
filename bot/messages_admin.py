"""User-facing strings of the admin commands (sources, /reindex usage, /ingest, /stats), as
Telegram HTML with dynamic parts escaped here. A running re-index's texts (progress, summary)
are in `bot/messages_reindex.py`, re-exported here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from bot.admin_job import INTERRUPTED
from bot.html_text import escape, escape_code, truncate
from bot.messages import plural
from bot.messages_reindex import INGEST_BUSY as INGEST_BUSY  # the old import paths keep working
from bot.messages_reindex import MAX_LISTED_FAILURES as MAX_LISTED_FAILURES
from bot.messages_reindex import chunks_embedded as chunks_embedded
from bot.messages_reindex import duration as duration
from bot.messages_reindex import location_code
from bot.messages_reindex import refresh_progress as refresh_progress
from bot.messages_reindex import reindex_busy as reindex_busy
from bot.messages_reindex import reindex_done as reindex_done
from bot.messages_reindex import reindex_stopped as reindex_stopped
from bot.messages_reindex import reindex_summary as reindex_summary
from bot.messages_reindex import still_skipped as still_skipped

if TYPE_CHECKING:
    from bot.admin_ops import AdminStats
    from index.ingest_now import IngestedArticle
    from index.types import ReindexRun, SourceRecord

ADMIN_ONLY = "This command is for admins."
ADMIN_UNAVAILABLE = "Admin commands are not available in this bot."
ADDSOURCE_USAGE = (
    "Usage: /addsource URL (an RSS/Atom feed or an article page), for example "
    "<code>/addsource https://example.com/feed.xml</code>"
)
REMOVESOURCE_USAGE = "Usage: /removesource N, where N is a source number from /sources"
REINDEX_USAGE = "Usage: /reindex, or <code>/reindex full</code> to re-embed every article"
INGEST_USAGE = (
    "Usage: /ingest URL, for example <code>/ingest https://example.com/news/story.html</code>"
)
ADMIN_SOURCES_EMPTY = (
    "No feeds or pages are registered for re-indexing. Add one with /addsource URL."
)


def bare_link(url: str) -> str:
    """The hint for an admin who sent a link alone: the commands that index it."""
    code = escape_code(url)  # copied as is: not defused (Telegram links nothing in code)
    return (
        "To index this link, send one of:\n"
        f"<code>/addsource {code}</code> - register a feed or a page for every re-index\n"
        f"<code>/ingest {code}</code> - index this one article now"
    )


def _when(moment: datetime | None, tz: tzinfo) -> str:
    if moment is None:
        return "never"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y %H:%M}"


def _day(moment: datetime, tz: tzinfo) -> str:
    return _when(moment, tz).rsplit(" ", 1)[0]


def source_added(source: SourceRecord, name: str | None, articles: int | None) -> str:
    found = ""
    if name:
        found = f" ({escape(truncate(name, 200))}"
        found += f", {plural(articles, 'article')} there now)" if articles is not None else ")"
    return (
        f"Added {escape(source.kind)} #{source.id}: {location_code(source.location)}{found}.\n"
        "/reindex fetches and indexes it."
    )


def source_removed(source: SourceRecord) -> str:
    where = location_code(source.location)
    return f"Removed source #{source.id} ({where}). Its articles stay indexed."


def source_yield(source: SourceRecord) -> str:
    """What a source gave: the articles first indexed from it, or, when every article it
    gave was already indexed from elsewhere, those (not "0 articles", which reads as
    broken)."""
    if source.article_count == 0 and source.last_read:
        return f"{plural(source.last_read, 'article')}, all already indexed from elsewhere"
    return plural(source.article_count, "article")


def admin_source_line(source: SourceRecord, tz: tzinfo) -> str:
    """One source for admins: number, kind, location, articles, last fetch, last error."""
    line = (
        f"<b>#{source.id}</b> {escape(source.kind)}: {location_code(source.location, 300)}\n"
        f"   {source_yield(source)}, last fetch {_when(source.last_fetch_at, tz)}"
    )
    if source.last_error:
        line += f"\n   last error: {escape(truncate(source.last_error, 300))}"
    return line


def admin_sources(sources: Sequence[SourceRecord], tz: tzinfo) -> list[str]:
    """/sources for admins, as messages under the length limit."""
    if not sources:
        return [ADMIN_SOURCES_EMPTY]
    header = f"<b>Sources ({len(sources)})</b>"
    return _pack([header, *(admin_source_line(s, tz) for s in sources)], "\n\n")


def ingested(articles: Sequence[IngestedArticle]) -> str:
    """/ingest: each article's title and chunk count."""
    labels = {"new": "Indexed", "updated": "Updated", "duplicate": "Already indexed"}
    lines = [
        f"{labels.get(a.status, 'Indexed')}: <b>{escape(truncate(a.title, 200))}</b> "
        f"({plural(a.chunks, 'chunk')})"
        for a in articles[:10]
    ]
    if len(articles) > 10:
        lines.append(f"… and {len(articles) - 10} more articles")
    return "\n".join(lines)


def _size(size_bytes: int) -> str:
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.1f} KB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def _last_run(run: ReindexRun | None, tz: tzinfo) -> str:
    if run is None:
        return "never"
    started = _when(run.started_at, tz)
    kind = "full, " if run.full else ""
    if run.status == "running":
        return f"{started} ({kind}still running)"
    if run.status == "failed" and run.error == INTERRUPTED:
        # Closed when a later process found it dead: its finish time is when that was.
        return f"{started} ({kind}{INTERRUPTED})"
    took = ""
    if run.finished_at is not None:
        took = duration((run.finished_at - run.started_at).total_seconds())
    if run.status == "failed":
        return f"{started} ({kind}failed after {took}: {escape(run.error or 'unknown')})"
    new = run.summary.get("new", 0)
    repaired = run.summary.get("repaired", 0)
    if isinstance(repaired, int) and repaired:
        return f"{started} ({kind}took {took}, {new} new, {chunks_embedded(0, repaired)})"
    return f"{started} ({kind}took {took}, {new} new)"


def admin_stats(stats: AdminStats, tz: tzinfo) -> str:
    """/stats: corpus, index, last re-index and today's activity."""
    corpus, index = stats.corpus, stats.index
    span = "no dates"
    if corpus.first_published and corpus.last_published:
        span = f"{_day(corpus.first_published, tz)} to {_day(corpus.last_published, tz)}"
    questions = stats.questions_today
    asked = sum(questions.values())
    modes = ", ".join(
        f"{label} {questions.get(mode, 0)}"
        for mode, label in (
            ("llm", "LLM"),
            ("extractive", "extractive"),
            ("not_found", "not found"),
        )
    )
    index_line = (
        f"{escape(index.kind)}, {index.vectors:,} vectors, {_size(index.size_bytes)} on disk"
        if index.kind
        else "not built yet"
    )
    return "\n".join(
        [
            "<b>Statistics</b>",
            f"Articles: {corpus.articles:,} ({plural(corpus.stories, 'story', 'stories')})",
            f"Chunks: {corpus.chunks:,}",
            f"Outlets: {stats.outlets:,}",
            f"Published: {span}",
            f"Index: {index_line}",
            f"Last re-index: {_last_run(stats.last_run, tz)}",
            f"Questions today: {asked} ({modes})",
            f"Alerts delivered today: {stats.alerts_today:,}",
        ]
    )


def _pack(blocks: Sequence[str], separator: str, limit: int = 4000) -> list[str]:
    """Join HTML blocks into messages of at most `limit` characters of HTML (which is never
    shorter than the visible text), never splitting a block."""
    pieces: list[str] = []
    for block in blocks:
        if pieces and len(pieces[-1]) + len(separator) + len(block) <= limit:
            pieces[-1] += separator + block
        else:
            pieces.append(block)
    return pieces
