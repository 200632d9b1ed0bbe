"""`newsbot ingest`: parse files, folders and URLs, then store and index them."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from tqdm import tqdm

from bot.alerts_matcher import matcher_for_runtime
from bot.runtime import Runtime
from index.errors import NewsbotError
from index.fetch import fetch_articles
from index.parsing import iter_path
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
                _, result = asyncio.run(fetch_articles(target, policy=runtime.fetch_policy))
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
    with refresh_lock(runtime.index_dir):  # one writer of the index at a time
        return _ingest_locked(runtime, targets, quiet=quiet)


def _ingest_locked(runtime: Runtime, targets: Sequence[str], *, quiet: bool) -> IngestReport:
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
        report = indexer.ingest(
            iter_targets(targets, runtime), progress=progress, on_chunks=alerts.safe_match_new
        )
    finally:
        bar.close()
    return report


def print_report(report: IngestReport) -> None:
    for failure in report.failures:
        print(f"failed: {failure.name}: {failure.reason}", file=sys.stderr)
    print(report.summary_line())
