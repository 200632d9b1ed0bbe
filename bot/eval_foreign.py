"""`newsbot eval realtimeqa DIR --corpus PATH`: does the bot say "not found" when its news
does not hold the answer?

The RealTime QA questions (news quizzes of 2022) are asked, each as of its date, of another
corpus that does not cover them: the bundled demo corpus (`samples/`, Wikinews 2004-2022)
or AG News (7,600 items of 2004). The corpus is indexed with the bot's own indexer into a
cached index (keyed like the RealTime QA one), and every question goes through the bot's
whole question path. A reply that is not "not found" and does not hold the answer is an
off-corpus answer; the last line is a JSON summary.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.cli_eval import ask_all
from bot.eval_index import load_eval_questions, open_eval_index
from bot.runtime import Runtime
from index.errors import BadInputError
from retrieval.realtimeqa_replies import (
    AbstentionReport,
    summarise_abstention,
    summarise_replies,
)


def abstention_lines(report: AbstentionReport, modes: dict[str, int]) -> list[str]:
    """The three figures with their counts, then the JSON summary (pure)."""
    rows = (
        ("not found", report.not_found, "the reply says the news does not answer"),
        ("off-corpus answers", report.off_corpus, "an answer not holding the correct choice"),
        ("replies holding answer", report.holding, "the corpus held it, or chance"),
    )
    lines = [
        f"{label:<22} {figure.value:.3f}  ({figure.hits:.0f}/{figure.total})  {note}"
        for label, figure, note in rows
    ]
    summary = {
        "not_found": report.not_found.hits,
        "off_corpus_answers": report.off_corpus.hits,
        "replies_holding_answer": report.holding.hits,
        "n_questions": report.not_found.total,
        "reply_modes": modes,
    }
    return [*lines, json.dumps(summary)]


def run_foreign(
    runtime: Runtime,
    directory: Path,
    corpus_path: Path,
    *,
    cache: Path | None = None,
    limit: int | None = None,
) -> int:
    """Ask the questions of `directory` of the corpus at `corpus_path` and print how many
    replies abstain."""
    if not corpus_path.exists():
        raise BadInputError(f"{corpus_path}: no such file or folder")
    asked = load_eval_questions(directory, limit)
    questions = asked.questions
    opened = open_eval_index(runtime, corpus_path, "corpus", cache)
    try:
        replies, reply_seconds = ask_all(opened.local, opened.searcher, questions)
    finally:
        asyncio.run(opened.local.aclose())

    *figures, summary = abstention_lines(
        summarise_abstention(replies), summarise_replies(replies).modes
    )
    build_seconds = opened.build_seconds
    cold = f"index built in {build_seconds:.0f} s" if build_seconds else "index cached"
    lines = [
        f"RealTime QA questions asked of another corpus: {corpus_path} "
        f"({len(opened.pair.vectors):,} chunks; cache: {opened.folder})",
        f"questions: {asked.file} ({len(questions)}), each as of its date",
        *figures,
        f"timings: cold {cold}; warm: index loaded in {opened.load_seconds:.1f} s, "
        f"replies in {reply_seconds:.1f} s",
        summary,
    ]
    print("\n".join(lines))
    return 0
