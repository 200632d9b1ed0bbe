"""User-facing strings of the admin commands (sources, re-index, /ingest, /stats), as
Telegram HTML with dynamic parts escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from bot.html_text import escape, escape_code, truncate
from bot.messages import plural

if TYPE_CHECKING:
    from bot.admin_ops import AdminStats
    from index.ingest_now import IngestedArticle
    from index.refresh_report import RefreshProgress, RefreshReport
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
INGEST_BUSY = "An article is being indexed right now. Please try again in a moment."
MAX_LISTED_FAILURES = 15


def bare_link(url: str) -> str:
    """The hint for an admin who sent a link alone: the commands that index it."""
    code = escape_code(url)  # copied as is: not defused (Telegram links nothing in code)
    return (
        "To index this link, send one of:\n"
        f"<code>/addsource {code}</code> - register a feed or a page for every re-index\n"
        f"<code>/ingest {code}</code> - index this one article now"
    )


_JOB_TITLES = {
    "reindex": "Re-indexing",
    "full": "Full re-index",
    "poll": "Polling feeds",
    "ingest": "Indexing an article",
    "repair": "Repairing the index",
}
_PHASES = {
    "fetching": "fetching sources",
    "repairing": "embedding chunks that were missing from the index",
    "re-embedding": "re-embedding every chunk",
    "indexing": "indexing articles",
    "done": "finishing",
}


def duration(seconds: float) -> str:
    """`45 s`, `3 min 5 s`, `2 h 10 min` (plain text)."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _when(moment: datetime | None, tz: tzinfo) -> str:
    if moment is None:
        return "never"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(tz)
    return f"{local.day} {local:%b %Y %H:%M}"


def _day(moment: datetime, tz: tzinfo) -> str:
    return _when(moment, tz).rsplit(" ", 1)[0]


def _location(location: str, limit: int = 4000) -> str:
    """A source's address or path as code: copyable into /ingest or a browser, never a link
    (Telegram links nothing in code), where plain text would be defused (`escape`)."""
    return f"<code>{escape_code(truncate(location, limit))}</code>"


def source_added(source: SourceRecord, name: str | None, articles: int | None) -> str:
    found = ""
    if name:
        found = f" ({escape(truncate(name, 200))}"
        found += f", {plural(articles, 'article')} there now)" if articles is not None else ")"
    return (
        f"Added {escape(source.kind)} #{source.id}: {_location(source.location)}{found}.\n"
        "/reindex fetches and indexes it."
    )


def source_removed(source: SourceRecord) -> str:
    return f"Removed source #{source.id} ({_location(source.location)}). Its articles stay indexed."


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
        f"<b>#{source.id}</b> {escape(source.kind)}: {_location(source.location, 300)}\n"
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


def refresh_progress(kind: str, progress: RefreshProgress | None, elapsed: float) -> str:
    """The progress message of a running re-index (edited every few seconds)."""
    title = _JOB_TITLES.get(kind, "Re-indexing")
    lines = [f"<b>{title}…</b> ({duration(elapsed)} so far)"]
    if progress is None:
        lines.append("Starting.")
        return "\n".join(lines)
    lines.append(f"Now {_PHASES.get(progress.phase, escape(progress.phase))}.")
    if kind != "repair":  # a repair reads no source: only its chunks count
        lines.append(f"Sources: {progress.sources_done} of {progress.sources_total} read")
        if progress.pages_total:
            # A teaser feed's linked pages: the slow part of reading it, shown as it goes.
            lines.append(
                f"Linked pages: {progress.pages_done:,} of {progress.pages_total:,} fetched"
            )
        lines.append(
            f"Articles: {progress.articles_fetched:,} fetched, {progress.articles_parsed:,} parsed"
        )
    lines.append(f"Chunks embedded: {progress.chunks_embedded:,}")
    if progress.eta_seconds is not None:
        lines.append(f"About {duration(progress.eta_seconds)} left")
    return "\n".join(lines)


def reindex_busy(kind: str, progress: RefreshProgress | None, elapsed: float) -> str:
    if kind == "ingest":
        return INGEST_BUSY
    busy = "A re-index is already running."
    if kind == "repair":
        busy = (
            "The index is being repaired: an ingest was stopped before it embedded the "
            "articles it stored. Try again when it has finished."
        )
    return f"{busy}\n\n" + refresh_progress(kind, progress, elapsed)


def reindex_done(kind: str) -> str:
    """A progress message Telegram would not delete: it points at the summary below it."""
    return f"<b>{_JOB_TITLES.get(kind, 'Re-indexing')}</b>: finished, the summary is below."


def reindex_stopped(kind: str, reason: str) -> str:
    title = _JOB_TITLES.get(kind, "Re-indexing")
    return f"<b>{title} stopped</b>: {escape(reason)}"


def reindex_summary(report: RefreshReport) -> str:
    """The closing summary: counts, then each failed source with its reason, then the items
    that could not be parsed: listed when new, counted when they failed the same way before."""
    title = "Full re-index finished" if report.full else "Re-index finished"
    lines = [f"<b>{title}</b> in {duration(report.elapsed_seconds)}."]
    if report.full:
        lines.append(f"{plural(report.reembedded, 'chunk')} re-embedded.")
    unchanged = f", {report.not_modified:,} unchanged since the last fetch"
    lines.append(
        f"{plural(report.sources, 'source')}: {report.new:,} new, {report.updated:,} updated, "
        f"{report.duplicates:,} already indexed"
        f"{unchanged if report.not_modified else ''}."
    )
    if report.pages_fetched:
        lines.append(
            f"{plural(report.pages_fetched, 'linked page')} of teaser entries fetched, "
            f"{report.pages_read:,} with their article."
        )
    lines.append(chunks_embedded(report.chunks_embedded, report.repaired) + ".")
    if report.failed_sources:
        lines.append(f"\n<b>Failed sources ({len(report.failed_sources)})</b>")
        for failure in report.failed_sources[:MAX_LISTED_FAILURES]:
            lines.append(
                f"• #{failure.source_id} {_location(failure.location, 200)}: "
                f"{escape(truncate(failure.reason, 200))}"
            )
        if len(report.failed_sources) > MAX_LISTED_FAILURES:
            lines.append(f"… and {len(report.failed_sources) - MAX_LISTED_FAILURES} more")
    failures = report.new_failures
    if failures:
        lines.append(f"\n<b>Could not be parsed ({len(failures)})</b>")
        for parse_failure in failures[:MAX_LISTED_FAILURES]:
            lines.append(
                f"• {escape(truncate(parse_failure.name, 200))}: "
                f"{escape(truncate(parse_failure.reason, 200))}"
            )
        if len(failures) > MAX_LISTED_FAILURES:
            lines.append(f"… and {len(failures) - MAX_LISTED_FAILURES} more")
    if report.known_failures:
        still = still_skipped(len(report.known_failures))
        lines.append(still if failures else f"\n{still}")
    return "\n".join(lines)


def chunks_embedded(embedded: int, repaired: int) -> str:
    """'40 chunks embedded', with the chunks a killed run had left without vectors
    ('716 chunks that were missing embedded'), without a full stop (pure)."""
    if not repaired:
        return f"{plural(embedded, 'chunk')} embedded"
    missing = f"{plural(repaired, 'chunk')} that {'was' if repaired == 1 else 'were'} missing"
    if not embedded:
        return f"{missing} embedded"
    return f"{plural(embedded, 'chunk')} embedded, and {missing}"


def still_skipped(count: int) -> str:
    """Items that failed the same way last time (re-index, `newsbot ingest`), in one line."""
    return f"{plural(count, 'file')} still skipped, as before."


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
            f"Outlets: {len(corpus.per_source):,}",
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
