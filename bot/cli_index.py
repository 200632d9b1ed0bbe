"""`newsbot ingest`: parse files, folders and URLs, then store and index them.

A file that cannot be parsed fails again on every run until someone fixes it. As a re-index
does (`index/refresh_report.py`), each run keeps a fingerprint of every failure, by target,
in `ingest_failures.json` beside the database; the next run lists only the failures that
are new (or whose file changed) and counts the rest in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bot.alerts_matcher import matcher_for_runtime
from bot.messages_admin import still_skipped
from bot.runtime import Runtime
from index.errors import NewsbotError
from index.feed_pages import fetch_with_pages
from index.parsing import iter_path, skipped_files
from index.pipeline import IngestProgress
from index.refresh_lock import RefreshBusyError, refresh_lock
from index.refresh_report import compare_failures, fingerprint_failures
from index.types import Article, IngestReport, ParseFailure

log = logging.getLogger(__name__)
FAILURE_MARKS_FILE = "ingest_failures.json"


def _is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


def target_key(target: str) -> str:
    """What a target's failure marks are stored under: its URL, or its path made absolute."""
    return target if _is_url(target) else str(Path(target).resolve())


def iter_targets(
    targets: Sequence[str],
    runtime: Runtime,
    failed: MutableMapping[str, list[ParseFailure]] | None = None,
) -> Iterator[Article | ParseFailure]:
    """Articles and failures of every target, in order; a bad target never stops the rest.

    The failures of what a target holds (its files, a feed's entries) are also collected in
    `failed`, by `target_key`; a target that could not be read at all (no such path, a site
    that is down) is not there, and keeps the marks of its last reading."""
    for target in targets:
        held: list[ParseFailure] = []
        if _is_url(target):
            try:
                _, result = asyncio.run(fetch_with_pages(target, policy=runtime.fetch_policy))
            except NewsbotError as exc:
                yield ParseFailure(name=target, reason=exc.user_message)
                continue
            if failed is not None:
                held = failed.setdefault(target_key(target), [])
            yield from result.articles
            held.extend(result.failures)
            yield from result.failures
            continue
        path = Path(target)
        if not path.exists():
            yield ParseFailure(name=target, reason="no such file or folder")
            continue
        if failed is not None:
            held = failed.setdefault(target_key(target), [])
        for item in iter_path(path):
            if isinstance(item, ParseFailure):
                held.append(item)
            yield item


def run_ingest(
    runtime: Runtime, targets: Sequence[str], *, quiet: bool = False, wait: bool = False
) -> IngestReport:
    """Ingest every target; the report's `known_failures` are those the last run met too.

    Another writer of the index (an ingest, a re-index, the bot's) makes it stop with
    RefreshBusyError naming that writer's pid, or, with `wait`, wait for it (said on stderr).
    """
    failed: dict[str, list[ParseFailure]] = {}
    report = _run(runtime, iter_targets(targets, runtime, failed), quiet=quiet, wait=wait)
    marks_file = runtime.settings.data_dir / FAILURE_MARKS_FILE
    previous = load_failure_marks(marks_file)
    known, marks = known_failures(failed, previous)
    if marks != previous:
        save_failure_marks(marks_file, marks)
    return dataclasses.replace(report, known_failures=known)


def _run(
    runtime: Runtime, items: Iterator[Article | ParseFailure], *, quiet: bool, wait: bool
) -> IngestReport:
    failures: list[ParseFailure] = []
    for item in items:
        if isinstance(item, ParseFailure):
            failures.append(item)
            continue
        # An article to index: only now is the model worth loading (seconds).
        with contextlib.ExitStack() as held:
            try:  # one writer of the index at a time
                held.enter_context(
                    refresh_lock(runtime.index_dir, waiting=say_waiting if wait else None)
                )
            except RefreshBusyError as exc:
                raise RefreshBusyError(exc.holder, advice=BUSY_ADVICE) from exc
            return _ingest_locked(runtime, itertools.chain(failures, [item], items), quiet=quiet)
    # A missing path, an empty folder, files that all failed: said without loading anything.
    return IngestReport(failures=tuple(failures))


def _ingest_locked(
    runtime: Runtime, items: Iterator[Article | ParseFailure], *, quiet: bool
) -> IngestReport:
    indexer = runtime.indexer()
    indexer.open(notice=say_repairing)
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


BUSY_ADVICE = "Try again when it has finished, or add --wait to wait for it."


def say_waiting(holder: int | None) -> None:
    """The one line `--wait` prints before it waits for the index."""
    who = f" (pid {holder})" if holder is not None else ""
    print(
        f"Waiting for the ingest or re-index running{who} to finish...",
        file=sys.stderr,
        flush=True,
    )


def repairing_line(count: int, fresh: bool) -> str:
    """The line said before a command embeds chunks the index lacks (pure)."""
    chunks = f"{count:,} chunk" + ("" if count == 1 else "s")
    if fresh:
        return f"The index is empty: embedding the {chunks} stored in the database..."
    return f"Embedding {chunks} missing from the index (a killed ingest?)..."


def say_repairing(count: int, fresh: bool) -> None:
    """Say on stderr, before a long wait, that missing chunks are being embedded."""
    print(repairing_line(count, fresh), file=sys.stderr, flush=True)


# --- failures met before ------------------------------------------------------------------


def known_failures(
    failed: Mapping[str, Sequence[ParseFailure]], previous: Mapping[str, Any]
) -> tuple[tuple[ParseFailure, ...], dict[str, dict[str, str]]]:
    """The failures the last run met unchanged, and the marks to keep for the next run: the
    re-index's `compare_failures`, by target. Targets not read this time keep theirs.

    A file's marks go under its resolved path, as its target's do: "news" and "/srv/news"
    are one folder, whose failures are named as typed in each run ("news/a.json")."""
    typed: dict[ParseFailure, list[ParseFailure]] = {}  # resolved -> as the run named it
    by_path: dict[str, list[ParseFailure]] = {}
    for key, failures in failed.items():
        local = not _is_url(key)
        group = by_path.setdefault(key, [])
        for failure in failures:
            resolved = _resolved(failure) if local else failure
            typed.setdefault(resolved, []).append(failure)
            group.append(resolved)
    marks = {
        key: fingerprint_failures(failures, local=not _is_url(key))
        for key, failures in by_path.items()
    }
    known, stored = compare_failures(by_path, marks, previous, set(previous) - set(by_path))
    named = tuple(dict.fromkeys(f for resolved in known for f in typed[resolved]))
    return named, {key: group for key, group in stored.items() if group}


def _resolved(failure: ParseFailure) -> ParseFailure:
    """The failure named by its file's resolved path ("news/a.jsonl:3" -> "/srv/news/a.jsonl:3")."""
    try:
        name = str(Path(failure.name).resolve())
    except (OSError, ValueError, RuntimeError):  # a name no path can have, a symlink loop
        return failure
    return dataclasses.replace(failure, name=name)


def load_failure_marks(path: Path) -> dict[str, Any]:
    """The marks the last run kept; none when there are none or they cannot be read."""
    try:
        marks = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # never written, or damaged: every failure is new again
        return {}
    return marks if isinstance(marks, dict) else {}


def save_failure_marks(path: Path, marks: Mapping[str, Any]) -> None:
    """Write the marks under a temporary name and rename it into place (never half-written);
    a failure to write costs only a longer list next time."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(marks, sort_keys=True), encoding="utf-8")
        temporary.replace(path)
    except OSError as exc:
        log.warning("could not keep the ingest failure marks in %s: %s", path, exc)
        temporary.unlink(missing_ok=True)


MAX_LISTED_SKIPPED = 10


def print_report(report: IngestReport, targets: Sequence[str] = ()) -> None:
    """New failures on stderr; skipped files, the count of failures met before, then the
    summary line, on stdout."""
    known = set(report.known_failures)
    for failure in report.failures:
        if failure not in known:
            print(f"failed: {failure.name}: {failure.reason}", file=sys.stderr)
    skipped = [
        str(file.relative_to(folder))
        for folder in (Path(t) for t in targets if not _is_url(t))
        for file in skipped_files(folder)
    ]
    if skipped:
        print(skipped_line(skipped))
    if report.known_failures:
        print(still_skipped(len(known)))
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
