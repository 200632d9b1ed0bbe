"""RealTime QA as a measuring stick of retrieval: questions, the as-of rule, and the figures.

The figures (defined in the data README, "How retrieval quality is measured"):
- gold-article Hits@1/5/10 and MRR@10 over questions with gold articles: articles ranked by
  their best chunk; a hit is a gold article at or above rank k;
- answer recall@k over all questions: the correct choice's text occurs in the text of the
  top-k passages, both sides normalised by `normalize_answer`. A passage is what search
  hands on: the retrieved chunk, widened by its article's neighbouring chunks when the
  search settings say so (`retrieval/context.py`); "chunk answer recall" reads only the
  retrieved chunks themselves (`Passage.span`), as in the data README.

The bot's own replies are judged in `retrieval/realtimeqa_replies.py`.

Everything here is pure except `run_questions`, which runs the searches; the files are read
by `retrieval/realtimeqa_files.py`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from index.identity import normalize_url
from retrieval.query import understand
from retrieval.search import HybridSearcher
from retrieval.types import Passage

if TYPE_CHECKING:  # realtimeqa_replies builds on this module
    from retrieval.realtimeqa_replies import ReplyReport

K = 10  # the deepest rank any figure looks at
FIGURE_NAMES = (
    "hits@1",
    "hits@5",
    "hits@10",
    "mrr@10",
    "answer_recall@5",
    "answer_recall@10",
    "chunk_answer_recall@5",
    "chunk_answer_recall@10",
)
AS_OF_RULE = (
    "each question as of the end of its question_date (UTC): articles published later are "
    "hidden, undated articles stay searchable"
)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    answers: tuple[str, ...]  # text of the correct choice(s)
    asked_on: date
    gold_urls: tuple[str, ...]  # normalised URLs of the gold evidence articles (may be empty)


@dataclass(frozen=True)
class CorpusArticle:
    """What the measuring stick needs of a corpus record (not what gets indexed)."""

    id: str
    url: str | None  # normalised
    published_on: date | None
    body: str


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    has_gold: bool
    gold_rank: int | None  # 1-based rank of the best gold article among ranked articles
    answer_rank: int | None  # 1-based rank of the first passage holding the answer
    chunk_answer_rank: int | None = None  # the same, reading only the retrieved chunks


@dataclass(frozen=True)
class Figure:
    hits: float  # the count behind a rate, or the sum of reciprocal ranks for MRR
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass(frozen=True)
class Report:
    # hits@1, hits@5, hits@10, mrr@10, answer_recall@5, @10, chunk_answer_recall@5, @10
    figures: dict[str, Figure]
    n_gold: int
    n_questions: int


# -- days ---------------------------------------------------------------------------------


def parse_day(value: object) -> date | None:
    """'2022/06/16' or '2022-06-16' (anything after the day is ignored); None if unreadable."""
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})", value)
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def end_of_day(day: date) -> datetime:
    """The last moment of `day` in UTC: the question's "now" and as-of time."""
    return datetime.combine(day, time.max, tzinfo=UTC)


# -- pure metrics -------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^\w]+|_+")


def normalize_answer(text: str) -> str:
    """Case-folded words separated by single spaces: quotes and punctuation become spaces.

    Both the answer and the passages go through this, so "“Squid Game”" matches
    "Squid Game's", "U.S." matches "U.S" and "1,000" matches "1,000".
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_WORD.sub(" ", folded).split())


def holds_answer(normalised_text: str, answers: Iterable[str]) -> bool:
    """Whether any normalised answer occurs in normalised text as a run of whole words."""
    padded = f" {normalised_text} "
    return any(a and f" {a} " in padded for a in answers)


def first_rank(flags: Iterable[bool]) -> int | None:
    """1-based position of the first true flag."""
    return next((rank for rank, flag in enumerate(flags, start=1) if flag), None)


def ranked_articles(passages: Sequence[Passage]) -> list[str]:
    """Article keys (normalised URL, else the store id) in order of their best chunk."""
    keys = (normalize_url(p.url) if p.url else f"article:{p.article_id}" for p in passages)
    return list(dict.fromkeys(keys))


def chunk_text(passage: Passage) -> str:
    """The retrieved chunk's own text, without neighbouring text added around it."""
    if passage.span is None:
        return passage.text
    start, end = passage.span
    return passage.text[start:end]


def judge(question: Question, passages: Sequence[Passage], k: int = K) -> QuestionResult:
    """Where the gold article and the answer turn up in one question's ranked passages."""
    answers = [normalize_answer(a) for a in question.answers]
    gold = set(question.gold_urls)
    articles = ranked_articles(passages)[:k]
    return QuestionResult(
        question_id=question.id,
        has_gold=bool(gold),
        gold_rank=first_rank(a in gold for a in articles) if gold else None,
        answer_rank=first_rank(
            holds_answer(normalize_answer(p.text), answers) for p in passages[:k]
        ),
        chunk_answer_rank=first_rank(
            holds_answer(normalize_answer(chunk_text(p)), answers) for p in passages[:k]
        ),
    )


def summarise(results: Sequence[QuestionResult]) -> Report:
    """The figures of the README over per-question results."""
    gold = [r for r in results if r.has_gold]
    ranks = [r.gold_rank for r in gold]
    figures = {
        f"hits@{k}": Figure(sum(1 for r in ranks if r is not None and r <= k), len(gold))
        for k in (1, 5, 10)
    }
    figures["mrr@10"] = Figure(sum(1.0 / r for r in ranks if r is not None and r <= 10), len(gold))
    for k in (5, 10):
        found = sum(1 for r in results if r.answer_rank is not None and r.answer_rank <= k)
        figures[f"answer_recall@{k}"] = Figure(found, len(results))
    for k in (5, 10):
        ranks = (r.chunk_answer_rank for r in results)
        found = sum(1 for rank in ranks if rank is not None and rank <= k)
        figures[f"chunk_answer_recall@{k}"] = Figure(found, len(results))
    return Report(figures=figures, n_gold=len(gold), n_questions=len(results))


def answer_ceiling(questions: Sequence[Question], corpus: Sequence[CorpusArticle]) -> Figure:
    """Questions whose answer occurs in some article's body they may see (the as-of rule)."""
    texts = [(a.published_on, f" {normalize_answer(a.body)} ") for a in corpus if a.body]
    found = 0
    for question in questions:
        answers = [f" {a} " for a in map(normalize_answer, question.answers) if a]
        visible = (t for day, t in texts if day is None or day <= question.asked_on)
        found += any(a in text for text in visible for a in answers)
    return Figure(found, len(questions))


# -- running ------------------------------------------------------------------------------


def run_questions(
    searcher: HybridSearcher,
    questions: Sequence[Question],
    *,
    batch: int = 64,
    progress: Callable[[int], None] | None = None,
) -> list[QuestionResult]:
    """Ask every question as of its date, exactly as the bot plans and searches a question.

    Twice `K` passages are asked for so that `K` distinct articles can be ranked even when
    an article contributes two chunks; answer recall reads the first `K` passages.
    """
    sources = searcher.catalog.sources()
    results: list[QuestionResult] = []
    for start in range(0, len(questions), batch):
        part = questions[start : start + batch]
        plans = [
            understand(
                q.text,
                now=end_of_day(q.asked_on),
                as_of=end_of_day(q.asked_on),
                known_sources=sources,
            )
            for q in part
        ]
        found = searcher.search_many(plans, k=2 * K)
        results.extend(judge(q, passages) for q, passages in zip(part, found, strict=True))
        if progress is not None:
            progress(len(results))
    return results


def report_json(
    report: Report, *, model: str, index: str, replies: ReplyReport | None = None
) -> str:
    """The last line of the command: one JSON object with the figures."""
    values: dict[str, object] = {
        name: round(report.figures[name].value, 4) for name in FIGURE_NAMES
    }
    if replies is not None:
        values["reply_answer_recall"] = round(replies.recall.value, 4)
        values["reply_modes"] = replies.modes
    values.update(n_gold=report.n_gold, n_questions=report.n_questions, model=model, index=index)
    return json.dumps(values)
