"""The `newsbot` command line: one entry point for indexing, asking, evaluating and the bot."""

from __future__ import annotations

import os

# OpenMP threads that spin while idle steal the cores the event loop and the other model
# need (measured: one query encode 170-450 ms spinning vs 13-18 ms passive on 2 shared
# cores). It must be set before torch or FAISS load, hence here at the entry point.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# The model loads from local files in a second; its progress bars only clutter the chat
# terminal of offline mode. Read by huggingface_hub when it is imported, so set here too.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import argparse
import asyncio
import importlib
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, time
from types import ModuleType

from pydantic import ValidationError

from bot.answer_text import answer_as_json, answer_as_text
from bot.cli_options import WAIT_HELP
from bot.handlers_ask import has_words
from bot.logging_setup import configure_logging
from bot.runtime import Runtime
from bot.settings import Settings
from bot.settings_errors import setting_errors
from index.errors import BadInputError, IndexFolderError, NewsbotError, StorageError
from index.parsing import parse_date
from retrieval.query_outlets import sort_outlets, unknown_outlets_note
from retrieval.types import DateRange

log = logging.getLogger(__name__)


# Command groups living in their own modules; each has `register(subparsers)` and
# `dispatch(runtime, args) -> int | None` (None: not my command).
_COMMAND_MODULES = ("bot.cli_eval", "bot.cli_admin")


def _command_modules() -> list[ModuleType]:
    modules = []
    for name in _COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return modules


def _positive_int(value: str) -> int:
    """argparse type for counts: a usage error for 0, negatives and non-numbers."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {number}")
    return number


def _question(value: str) -> str:
    """argparse type: a question with at least one word (not "", spaces, a lone emoji)."""
    if not has_words(value):
        raise argparse.ArgumentTypeError('the question is empty, e.g. "What happened in Seoul?"')
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbot", description="Answers questions about the news it has indexed."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="index article files, folders, feeds or pages")
    ingest.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument(
        "--wait",
        action="store_true",
        help=WAIT_HELP,
    )

    ask = commands.add_parser("ask", help="answer a question from the indexed news")
    ask.add_argument("question", type=_question)
    ask.add_argument("--json", action="store_true", help="answer, citations and passages as JSON")
    ask.add_argument("--as-of", metavar="DATE", help="search only articles published by DATE")
    ask.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="OUTLET",
        help="only articles of this outlet (repeatable)",
    )
    ask.add_argument("--since", metavar="DATE", help="only articles published on or after DATE")
    ask.add_argument("--until", metavar="DATE", help="only articles published on or before DATE")
    ask.add_argument("-k", type=_positive_int, default=None, help="passages to retrieve")

    commands.add_parser("run", help="start the bot (offline terminal chat without a token)")

    for module in _command_modules():
        module.register(commands)
    return parser


def _date_option(value: str | None, option: str, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    moment = parse_date(value)
    if moment is None:
        raise BadInputError(f"{option}: cannot read the date {value!r} (try 2022-06-16)")
    if end_of_day and moment.time() == time(0, 0):
        # A bare date means "by the end of that day".
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def source_options(
    requested: Sequence[str], known: Sequence[str]
) -> tuple[tuple[str, ...], str | None]:
    """--source values as the indexed outlets they name, spelled as a question may spell
    them ("The Guardian", "reuters.com"), and the line naming those with no articles."""
    if not requested:
        return (), None
    indexed, unknown = sort_outlets(requested, known)
    return indexed, unknown_outlets_note(unknown, filtered=bool(indexed))


async def _ask(runtime: Runtime, args: argparse.Namespace) -> int:
    # Refuse bad options before loading anything.
    as_of = _date_option(args.as_of, "--as-of", end_of_day=True)
    since = _date_option(args.since, "--since", end_of_day=False)
    until = _date_option(args.until, "--until", end_of_day=True)
    date_range = DateRange(start=since, end=until) if since or until else None
    from bot.cli_index import say_repairing

    pair = await asyncio.to_thread(runtime.open_index, notice=say_repairing)
    searcher = await asyncio.to_thread(runtime.searcher, pair)
    assistant = runtime.assistant(searcher)
    try:
        sources, note = source_options(args.source, assistant.searcher.searcher.catalog.sources())
        now = datetime.now(UTC)
        answer = await assistant.ask(
            args.question,
            now=as_of or now,
            as_of=as_of,
            k=args.k,
            sources=sources,
            date_range=date_range,
        )
    finally:
        assistant.searcher.close()
    if note is not None:  # JSON stays parseable: the note goes beside it
        print(note, file=sys.stderr if args.json else sys.stdout)
    print(answer_as_json(answer) if args.json else answer_as_text(answer))
    return 0


def _dispatch(runtime: Runtime, args: argparse.Namespace) -> int:
    if args.command == "ingest":
        from bot.cli_index import print_report, run_ingest

        report = run_ingest(runtime, args.targets, quiet=args.quiet, wait=args.wait)
        print_report(report, args.targets)
        return 0 if report.new + report.updated + report.duplicates or not report.failures else 1
    if args.command == "ask":
        return asyncio.run(_ask(runtime, args))
    if args.command == "run":
        from bot.cli_run import run_bot

        return run_bot(runtime)
    for module in _command_modules():
        result = module.dispatch(runtime, args)
        if result is not None:
            return result
    raise BadInputError(f"unknown command {args.command}")


def error_line(exc: NewsbotError) -> str:
    """What the command line says of a failure: the user's message, with the operator's
    detail when there is one (the folder that cannot be written, the driver's reason)."""
    if isinstance(exc, IndexFolderError):
        return f"Cannot write in the index folder {exc.folder}: {exc.reason}."
    if isinstance(exc, StorageError) and exc.detail:
        detail = exc.detail.rstrip(".")
        if detail.lower() not in exc.user_message.lower():
            return f"{exc.user_message.rstrip('.')} ({detail})."
    return exc.user_message


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        for line in setting_errors(exc):
            print(f"newsbot: {line}.", file=sys.stderr)
        return 2
    secrets = [
        s.get_secret_value()
        for s in (settings.telegram_bot_token, settings.openai_api_key, settings.webhook_secret)
        if s is not None
    ]
    # One-shot commands print their results on the terminal: INFO lines ("loaded embedding
    # model") stay out of them (LOG_LEVEL=DEBUG shows everything). The bot logs as configured.
    quiet = args.command != "run" and settings.log_level != "DEBUG"
    configure_logging(settings.log_level, secrets, terminal_level="WARNING" if quiet else None)
    runtime = Runtime(settings)
    try:
        return _dispatch(runtime, args)
    except NewsbotError as exc:
        line = error_line(exc)
        log.debug("newsbot %s stopped: %s", args.command, line)  # the line says it too
        print(f"newsbot: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        asyncio.run(runtime.aclose())


if __name__ == "__main__":
    sys.exit(main())
