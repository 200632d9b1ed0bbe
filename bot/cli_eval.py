"""`newsbot eval`: measuring sticks run on the very code and defaults the bot uses.

`newsbot eval realtimeqa DIR` indexes `DIR/articles.jsonl.xz` with the bot's own indexer
into a cached index (keyed by the articles file, the embedding model and precision, and
everything that shapes chunks), then asks every question of `DIR/questions.jsonl` as of
its date with the bot's own query understanding and search, and prints the figures of the
data README with the JSON summary as the last line. With `--corpus PATH` the questions are
asked of another corpus instead, to count abstentions (`bot/eval_foreign.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from tqdm import tqdm

from bot.eval_index import load_eval_questions, open_eval_index
from bot.runtime import Runtime
from index.errors import BadInputError
from retrieval import realtimeqa as rtqa
from retrieval import realtimeqa_replies as replies_eval
from retrieval.search import HybridSearcher

_FIGURE_LABELS = (
    ("hits@1", "gold-article hits@1"),
    ("hits@5", "gold-article hits@5"),
    ("hits@10", "gold-article hits@10"),
    ("mrr@10", "gold-article MRR@10"),
    ("answer_recall@5", "answer recall@5"),
    ("answer_recall@10", "answer recall@10"),
    ("chunk_answer_recall@5", "chunk-only recall@5"),
    ("chunk_answer_recall@10", "chunk-only recall@10"),
)


def register(commands: argparse._SubParsersAction) -> None:
    evaluate = commands.add_parser("eval", help="measure retrieval quality on a data set")
    kinds = evaluate.add_subparsers(dest="eval_kind", required=True, metavar="KIND")
    realtime = kinds.add_parser(
        "realtimeqa", help="RealTime QA: gold-article hits, MRR and answer recall"
    )
    realtime.add_argument(
        "directory", metavar="DIR", type=Path,
        help="folder holding articles.jsonl.xz (or articles.jsonl) and questions.jsonl",
    )  # fmt: skip
    realtime.add_argument(
        "--cache", type=Path, default=None, metavar="DIR",
        help="folder of cached eval indexes (default: DATA_DIR/eval)",
    )  # fmt: skip
    realtime.add_argument("--limit", type=int, default=None, metavar="N", help="first N only")
    realtime.add_argument(
        "--answers", action="store_true",
        help="also answer every question as the bot does and count the replies holding the "
        "answer (extractive unless an LLM is configured; ~0.3 s per question extractive)",
    )  # fmt: skip
    realtime.add_argument(
        "--corpus", type=Path, default=None, metavar="PATH",
        help="ask the questions of this corpus instead (a file or folder newsbot ingests, "
        "e.g. samples/), one that does not cover them, and count the replies that say "
        "'not found', the off-corpus answers and the replies holding the answer",
    )  # fmt: skip
    # Topic-alert matching (ag-news shape): retrieval/alert_eval.py.
    alerts = kinds.add_parser("alerts", help="topic-alert matching: precision, recall, F1")
    alerts.add_argument(
        "directory", metavar="DIR", type=Path,
        help="folder holding articles.jsonl (title, body, category) and topics.json",
    )  # fmt: skip
    alerts.add_argument(
        "--threshold", type=float, default=None, metavar="X",
        help="direct-route cosine threshold (default: ALERT_THRESHOLD, as the bot)",
    )  # fmt: skip
    alerts.add_argument(
        "--cache", type=Path, default=None, metavar="DIR",
        help="folder of cached item vectors (default: DATA_DIR/eval)",
    )  # fmt: skip


def dispatch(runtime: Runtime, args: argparse.Namespace) -> int | None:
    if args.command != "eval":
        return None
    if args.eval_kind == "realtimeqa" and args.corpus is not None:
        from bot.eval_foreign import run_foreign

        return run_foreign(runtime, args.directory, args.corpus, cache=args.cache, limit=args.limit)
    if args.eval_kind == "realtimeqa":
        return run_realtimeqa(
            runtime, args.directory, cache=args.cache, limit=args.limit, answers=args.answers
        )
    if args.eval_kind == "alerts":
        return _alerts(runtime, args.directory, threshold=args.threshold, cache=args.cache)
    raise BadInputError(f"unknown evaluation {args.eval_kind}")


def _alerts(
    runtime: Runtime, directory: Path, *, threshold: float | None, cache: Path | None
) -> int:
    """The alert protocol with the bot's own settings (ALERT_THRESHOLD unless --threshold,
    ALERT_CORPUS_ROUTE), so the figures are those of the bot as configured."""
    from retrieval.alert_eval import format_alert_report, run_alert_eval

    if not directory.is_dir():
        raise BadInputError(f"{directory} is not a folder")
    folder = cache or runtime.settings.data_dir / "eval"
    folder.mkdir(parents=True, exist_ok=True)
    settings = runtime.settings
    report = run_alert_eval(
        directory,
        embedder=runtime.embedder,
        threshold=settings.alert_threshold if threshold is None else threshold,
        corpus_route=settings.alert_corpus_route,
        cache_dir=folder,
    )
    print(format_alert_report(report))
    return 0


# -- realtimeqa ---------------------------------------------------------------------------


def ask_all(
    local: Runtime, searcher: HybridSearcher, questions: list[rtqa.Question]
) -> tuple[list[replies_eval.ReplyResult], float]:
    """The bot's reply to every question (its own assistant, LLM or extractive), timed."""
    assistant = local.assistant(searcher)

    async def ask(bar: tqdm) -> list[replies_eval.ReplyResult]:
        # One loop for the asking and the closing: an LLM client belongs to its loop.
        async with assistant.searcher:
            try:
                return await replies_eval.ask_questions(
                    assistant, questions, progress=lambda n: bar.update(n - bar.n)
                )
            finally:
                await local.aclose()

    started = time.monotonic()
    with tqdm(total=len(questions), desc="answers", file=sys.stderr, disable=None) as bar:
        replies = asyncio.run(ask(bar))
    return replies, time.monotonic() - started


def run_realtimeqa(
    runtime: Runtime,
    directory: Path,
    *,
    cache: Path | None = None,
    limit: int | None = None,
    answers: bool = False,
) -> int:
    """Run the RealTime QA evaluation on `directory` and print its figures; with `answers`,
    also the share of the bot's replies that hold the answer."""
    asked = load_eval_questions(directory, limit)
    corpus, questions = asked.corpus, asked.questions
    opened = open_eval_index(runtime, asked.articles, "realtimeqa", cache)
    local, pair, searcher = opened.local, opened.pair, opened.searcher
    try:
        started = time.monotonic()
        with tqdm(total=len(questions), desc="questions", file=sys.stderr, disable=None) as bar:
            results = rtqa.run_questions(
                searcher, questions, progress=lambda n: bar.update(n - bar.n)
            )
        ask_seconds = time.monotonic() - started
        replies, reply_seconds = ask_all(local, searcher, questions) if answers else ([], 0.0)
    finally:
        asyncio.run(local.aclose())

    report = rtqa.summarise(results)
    ceiling = rtqa.answer_ceiling(questions, corpus)
    model = runtime.embedder.model_name
    index = f"faiss-{pair.vectors.kind}+bm25"
    precision = opened.key["precision"]
    lines = [
        f"RealTime QA retrieval: {directory} ({report.n_questions} questions, "
        f"{report.n_gold} with gold articles)",
        f"as of: {rtqa.AS_OF_RULE}",
        f"embedding model: {model} ({precision}); index: {index}, {len(pair.vectors):,} "
        f"chunks; cache: {opened.folder}",
    ]
    for name, label in _FIGURE_LABELS:
        figure = report.figures[name]
        count = f"{figure.hits:.1f}" if name.startswith("mrr") else f"{figure.hits:.0f}"
        lines.append(f"{label:<22} {figure.value:.3f}  ({count}/{figure.total})")
    lines.append(
        f"{'answer ceiling':<22} {ceiling.value:.3f}  ({ceiling.hits:.0f}/{ceiling.total})"
        "  the answer occurs in some article the question may see"
    )
    reply_report = replies_eval.summarise_replies(replies) if answers else None
    if reply_report is not None:
        recall = reply_report.recall
        modes = ", ".join(f"{mode} {n}" for mode, n in sorted(reply_report.modes.items()))
        lines.append(
            f"{'reply answer recall':<22} {recall.value:.3f}  ({recall.hits:.0f}/{recall.total})"
            f"  the bot's reply holds the answer ({modes})"
        )
    build_seconds = opened.build_seconds
    cold = f"index built in {build_seconds:.0f} s" if build_seconds else "index cached"
    per_question = 1000 * ask_seconds / len(questions)
    timing = (
        f"timings: cold {cold}; warm: index loaded in {opened.load_seconds:.1f} s, questions in "
        f"{ask_seconds:.1f} s ({per_question:.0f} ms per question)"
    )
    if answers:
        timing += f"; replies in {reply_seconds:.1f} s"
    lines.append(timing)
    lines.append(rtqa.report_json(report, model=model, index=index, replies=reply_report))
    print("\n".join(lines))
    return 0
