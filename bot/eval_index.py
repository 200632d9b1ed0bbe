"""The inputs of `newsbot eval realtimeqa`: a RealTime QA folder's questions and corpus, and
the cached index a corpus is searched in (built once with the bot's own indexer, in its own
folder under `data/eval/`, keyed by the corpus and everything that shapes the index)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot.eval_cache import cache_key, key_digest
from bot.runtime import Runtime
from index.errors import BadInputError
from index.snapshot_io import IndexPair
from retrieval import realtimeqa as rtqa
from retrieval.realtimeqa_files import CorpusArticle, load_corpus, load_questions
from retrieval.search import HybridSearcher

_ARTICLE_FILES = ("articles.jsonl.xz", "articles.jsonl")
_QUESTIONS_FILE = "questions.jsonl"
_DONE_FILE = "complete.json"  # written once the cached index is whole


def input_files(directory: Path) -> tuple[Path, Path]:
    articles = next((directory / n for n in _ARTICLE_FILES if (directory / n).is_file()), None)
    questions = directory / _QUESTIONS_FILE
    missing = [n for n, p in ((_ARTICLE_FILES[0], articles), (_QUESTIONS_FILE, questions)) if
               p is None or not p.is_file()]  # fmt: skip
    if missing:
        raise BadInputError(
            f"{directory} is not a RealTime QA folder: it lacks {' and '.join(missing)}"
        )
    assert articles is not None
    return articles, questions


@dataclass(frozen=True)
class EvalQuestions:
    """The questions of a RealTime QA folder (at most `limit`), with its corpus."""

    articles: Path  # the articles file
    file: Path  # the questions file
    corpus: list[CorpusArticle]
    questions: list[rtqa.Question]


def load_eval_questions(directory: Path, limit: int | None) -> EvalQuestions:
    articles, questions_file = input_files(directory)
    if limit is not None and limit < 1:
        raise BadInputError("--limit must be at least 1")
    corpus = load_corpus(articles)
    questions = load_questions(questions_file, {a.id: a.url for a in corpus})[:limit]
    if not questions:
        raise BadInputError(f"{questions_file} holds no questions")
    return EvalQuestions(articles, questions_file, corpus, questions)


@dataclass(frozen=True)
class EvalIndex:
    """A cached eval index, open: its runtime (close it), its search and how long it took."""

    local: Runtime
    pair: IndexPair
    searcher: HybridSearcher
    folder: Path
    key: dict[str, Any]
    build_seconds: float  # 0: it was cached
    load_seconds: float


def open_eval_index(runtime: Runtime, source: Path, name: str, cache: Path | None) -> EvalIndex:
    """The cached index of `source` (built first if missing), under `cache`/`name`-KEY."""
    key = cache_key(runtime, source)
    folder = (cache or runtime.settings.data_dir / "eval") / f"{name}-{key_digest(key)}"
    local = eval_runtime(runtime, folder)
    try:
        build_seconds = ensure_index(local, source, folder, key)
        started = time.monotonic()
        pair = local.open_index()
        searcher = local.searcher(pair)
    except BaseException:
        asyncio.run(local.aclose())
        raise
    load_seconds = time.monotonic() - started
    return EvalIndex(local, pair, searcher, folder, key, build_seconds, load_seconds)


def eval_runtime(runtime: Runtime, folder: Path) -> Runtime:
    """The same settings and embedder, with the database and index in the cache folder."""
    settings = runtime.settings.model_copy(update={"data_dir": folder, "database_url": ""})
    return Runtime(settings, embedder=runtime.embedder)


def ensure_index(runtime: Runtime, articles: Path, folder: Path, key: dict[str, Any]) -> float:
    """Build the cached index unless it is complete; returns the build time (0: cached).

    An interrupted build resumes: ingest is idempotent, stored articles are skipped.
    """
    from bot.cli_index import print_report, run_ingest

    done = folder / _DONE_FILE
    if done.is_file():
        return 0.0
    folder.mkdir(parents=True, exist_ok=True)
    print(f"building the eval index in {folder} (cached for later runs)", file=sys.stderr)
    started = time.monotonic()
    report = run_ingest(runtime, [str(articles)])
    print_report(report)
    seconds = time.monotonic() - started
    record = {"key": key, "build_seconds": round(seconds, 1), **asdict(report)}
    done.write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    return seconds
