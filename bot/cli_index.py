"""`newsbot ingest`: parse files, folders and URLs, then store and index them."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from bot.alerts_matcher import matcher_for_runtime
from bot.runtime import Runtime
from index.errors import NewsbotError
from index.feed_pages import fetch_with_pages
from index.parsing import iter_path, skipped_files
from index.pipeline import IngestProgress
from index.refresh import refresh_lock
from index.types import Article, IngestReport, ParseFailure


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def iter_targets(targets: Sequence[str], runtime: Runtime) -> Iterator[Article | ParseFailure]:
    """Articles and failures of every target, in order; a bad target never stops the rest."""
    for target in targets:
        if _is_url(target):
            try:
                _, result = asyncio.run(fetch_with_pages(target, policy=runtime.fetch_policy))
            except NewsbotError as exc:
                yield ParseFailure(name=target, reason=exc.user_message)
                continue
            yield from result.articles
            yield from result.failures
            continue
        path = Path(target)
        if not path.exists():
            yield ParseFailure(name=target, reason="no such file or folder")
            continue
        yield from iter_path(path)


def run_ingest(runtime: Runtime, targets: Sequence[str], *, quiet: bool = False) -> IngestReport:
    items = iter_targets(targets, runtime)
    failures: list[ParseFailure] = []
    for item in items:
        if isinstance(item, ParseFailure):
            failures.append(item)
            continue
        # An article to index: only now is the model worth loading (seconds).
        with refresh_lock(runtime.index_dir):  # one writer of the index at a time
            return _ingest_locked(runtime, itertools.chain(failures, [item], items), quiet=quiet)
    # A missing path, an empty folder, files that all failed: said without loading anything.
    return IngestReport(failures=tuple(failures))


def _ingest_locked(
    runtime: Runtime, items: Iterator[Article | ParseFailure], *, quiet: bool
) -> IngestReport:
    indexer = runtime.indexer()
    indexer.open()
    # New articles are matched against the subscriptions and their alerts queued in the
    # database; a running bot sends them.
    alerts = matcher_for_runtime(runtime, lambda: indexer.pair.vectors)
    bar = tqdm(desc="indexing", unit=" articles", disable=quiet or None, file=sys.stderr)

    def progress(state: IngestProgress) -> None:
        bar.n = state.articles_seen
        bar.set_postfix(chunks=state.chunks_embedded, refresh=False)
        bar.refresh()

    try:
        report = indexer.ingest(items, progress=progress, on_chunks=alerts.safe_match_new)
    finally:
        bar.close()
    # Then the articles an earlier run stored but never matched (killed, failed match).
    alerts.safe_match_pending(lambda: indexer.pair.vectors)
    return report


MAX_LISTED_SKIPPED = 10


def print_report(report: IngestReport, targets: Sequence[str] = ()) -> None:
    """Failures on stderr; skipped files, then the summary line, on stdout."""
    for failure in report.failures:
        print(f"failed: {failure.name}: {failure.reason}", file=sys.stderr)
    skipped = [
        str(file.relative_to(folder))
        for folder in (Path(t) for t in targets if not _is_url(t))
        for file in skipped_files(folder)
    ]
    if skipped:
        print(skipped_line(skipped))
    print(summary_line(report, targets))


def skipped_line(names: Sequence[str]) -> str:
    """'2 files skipped (not articles): a.png, b.csv', the list capped (pure)."""
    files = "file" if len(names) == 1 else "files"
    listed = ", ".join(names[:MAX_LISTED_SKIPPED])
    more = f" and {len(names) - MAX_LISTED_SKIPPED} more" if len(names) > MAX_LISTED_SKIPPED else ""
    return f"{len(names)} {files} skipped (not articles): {listed}{more}"


def summary_line(report: IngestReport, targets: Sequence[str]) -> str:
    """The closing line; a run that found nothing at all says so instead of zeros (pure)."""
    found = report.new + report.updated + report.duplicates + len(report.failures)
    if found == 0 and targets:
        return f"Nothing to ingest in {', '.join(targets)}."
    return report.summary_line()
