"""`newsbot sources add|list|remove`, `newsbot reindex [--full]` and `newsbot stats`.

The same operations as the admin chat commands (`bot/admin_ops.py`), printed as plain
text from the same messages.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import re
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tqdm import tqdm

from bot import admin_ops, messages_admin
from bot.alerts_background import snapshot_index
from bot.alerts_matcher import matcher_for_runtime
from bot.cli_index import BUSY_ADVICE, say_waiting
from bot.cli_options import WAIT_HELP
from bot.emulator_html import parse_html, plain_with_links
from bot.runtime import Runtime
from index.errors import NewsbotError
from index.refresh_lock import RefreshBusyError
from index.refresh_report import RefreshProgress

KINDS = ("feed", "page", "folder")
# The chat commands the shared messages name, as a shell user types them.
_CLI_COMMANDS = {
    "sources": "newsbot sources list",
    "addsource": "newsbot sources add",
    "removesource": "newsbot sources remove",
    "reindex": "newsbot reindex",
    "stats": "newsbot stats",
}
_CHAT_COMMAND = re.compile(r"(?<![\w/.])/(" + "|".join(_CLI_COMMANDS) + r")\b")


def cli_wording(text: str) -> str:
    """A message written for the chat, with its chat commands ("/sources lists them") as
    the command line spells them ("newsbot sources list lists them")."""
    text = text.replace("/sources lists them", "`newsbot sources list` shows them")
    return _CHAT_COMMAND.sub(lambda match: _CLI_COMMANDS[match.group(1)], text)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sources = commands.add_parser("sources", help="list, add or remove the sources to re-index")
    actions = sources.add_subparsers(dest="sources_command", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a feed or page URL, or a folder of article files")
    add.add_argument("location", metavar="URL_OR_PATH")
    add.add_argument("--kind", choices=KINDS, help="say what it is instead of detecting it")
    actions.add_parser("list", help="every source with its kind, articles and last fetch")
    remove = actions.add_parser("remove", help="remove a source (its articles stay indexed)")
    remove.add_argument("source_id", type=int, metavar="N")

    reindex = commands.add_parser(
        "reindex", help="fetch every source and index what is new or changed"
    )
    reindex.add_argument(
        "--full", action="store_true", help="re-embed every article (after a model change)"
    )
    reindex.add_argument("--quiet", action="store_true", help="no progress bar")
    reindex.add_argument(
        "--wait",
        action="store_true",
        help=WAIT_HELP,
    )

    stats = commands.add_parser("stats", help="articles, chunks, index size and today's activity")
    stats.add_argument("--json", action="store_true", help="the figures as one JSON object")


def dispatch(runtime: Runtime, args: argparse.Namespace) -> int | None:
    try:
        if args.command == "sources":
            return _sources(runtime, args)
        if args.command == "reindex":
            return _reindex(runtime, full=args.full, quiet=args.quiet, wait=args.wait)
        if args.command == "stats":
            return _stats(runtime, as_json=args.json)
    except NewsbotError as exc:  # told in the CLI's words, where the chat's are shared
        exc.user_message = cli_wording(exc.user_message)
        raise
    return None


def plain(html: str) -> str:
    """A message of bot/messages*.py as terminal text, in the command line's words."""
    return cli_wording(plain_with_links(parse_html(html)))


def _tz(runtime: Runtime) -> ZoneInfo:
    return ZoneInfo(runtime.settings.timezone)


def _sources(runtime: Runtime, args: argparse.Namespace) -> int:
    if args.sources_command == "add":
        kind, location, detected = asyncio.run(
            admin_ops.describe_source(runtime, args.location, args.kind)
        )
        record = admin_ops.register_source(runtime, kind, location)
        name = detected.name if detected is not None else None
        articles = detected.articles if detected is not None else None
        text = plain(messages_admin.source_added(record, name, articles))
        print(text)
        return 0
    if args.sources_command == "remove":
        removed = admin_ops.remove_source(runtime, args.source_id)
        print(plain(messages_admin.source_removed(removed)))
        return 0
    records = admin_ops.list_sources(runtime)
    for piece in messages_admin.admin_sources(records, _tz(runtime)):
        print(plain(piece))
    return 0


def _reindex(runtime: Runtime, *, full: bool, quiet: bool, wait: bool = False) -> int:
    bar = tqdm(desc="fetching", unit=" articles", disable=quiet or None, file=sys.stderr)

    def progress(state: RefreshProgress) -> None:
        bar.set_description(state.phase)
        bar.n = state.articles_parsed
        eta = messages_admin.duration(state.eta_seconds) if state.eta_seconds is not None else "?"
        bar.set_postfix(
            sources=f"{state.sources_done}/{state.sources_total}",
            fetched=state.articles_fetched,
            chunks=state.chunks_embedded,
            left=eta,
            refresh=False,
        )
        bar.refresh()

    # One reader of the saved index for the matcher and the left articles (loads it again
    # only when the run saved a new snapshot).
    index = snapshot_index(runtime.index_dir, runtime.embedder)
    alerts = matcher_for_runtime(runtime, index)  # alerts are queued; a running bot sends them
    try:
        report = admin_ops.run_reindex(
            runtime,
            full=full,
            trigger="cli",
            progress=progress,
            on_chunks=alerts.safe_match_new,
            waiting=say_waiting if wait else None,
        )
    except RefreshBusyError as exc:
        raise RefreshBusyError(exc.holder, advice=BUSY_ADVICE) from exc
    finally:
        bar.close()
    # Then the articles an earlier run stored but never matched (killed, failed match).
    alerts.safe_match_pending(index)
    print(plain(messages_admin.reindex_summary(report)))
    everything_failed = report.sources > 0 and len(report.failed_sources) == report.sources
    return 1 if everything_failed else 0


def _stats(runtime: Runtime, *, as_json: bool) -> int:
    tz = _tz(runtime)
    figures = admin_ops.collect_stats(runtime, datetime.now(tz))
    if as_json:
        print(json.dumps(stats_document(figures), default=_json_value, sort_keys=True))
    else:
        print(plain(messages_admin.admin_stats(figures, tz)))
    return 0


def stats_document(figures: admin_ops.AdminStats) -> dict[str, Any]:
    """`newsbot stats --json`: the figures as one object, each outlet as an object too."""
    document = dataclasses.asdict(figures)
    document["corpus"]["per_source"] = [
        {"name": name, "articles": articles} for name, articles in figures.corpus.per_source
    ]
    return document


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
