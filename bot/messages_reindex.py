"""User-facing strings of a re-index (also a poll, a repair, an /ingest) as it runs and
when it ends: progress, busy, stopped, the closing summary; Telegram HTML with dynamic parts
escaped here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.html_text import escape, escape_code, truncate
from bot.messages import plural

if TYPE_CHECKING:
    from index.refresh_report import RefreshProgress, RefreshReport

INGEST_BUSY = "An article is being indexed right now. Please try again in a moment."
MAX_LISTED_FAILURES = 15

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


def location_code(location: str, limit: int = 4000) -> str:
    """A source's address or path as code: copyable into /ingest or a browser, never a link
    (Telegram links nothing in code), where plain text would be defused (`escape`)."""
    return f"<code>{escape_code(truncate(location, limit))}</code>"


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
                f"• #{failure.source_id} {location_code(failure.location, 200)}: "
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
