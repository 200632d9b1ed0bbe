"""The bot's own replies to RealTime QA questions, judged (`newsbot eval realtimeqa
--answers`): every question goes through the whole question path (`NewsAssistant.ask`:
search, then the LLM or the extractive composer), and "reply answer recall" counts the
replies whose text holds the answer, normalised as `retrieval/realtimeqa.py` does.

Asked of a corpus that does not cover them (`--corpus`: the demo corpus, AG News of 2004),
the same questions measure abstention: a reply there should be "not found"; one that is
not and does not hold the answer is an off-corpus answer, quotes of unrelated news.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retrieval.assistant import NewsAssistant
from retrieval.realtimeqa import Figure, Question, end_of_day, holds_answer, normalize_answer
from retrieval.types import Answer, AnswerMode


@dataclass(frozen=True)
class ReplyResult:
    question_id: str
    mode: str  # the AnswerMode of the reply: llm, extractive or not_found
    holds_answer: bool  # the reply's text holds the correct choice


@dataclass(frozen=True)
class ReplyReport:
    recall: Figure  # replies holding the answer, over all questions
    modes: dict[str, int]  # replies by AnswerMode


_CITATION_MARK = re.compile(r"\[\d+\]")
NOT_FOUND_MODE = str(AnswerMode.NOT_FOUND)


def judge_reply(question: Question, answer: Answer) -> ReplyResult:
    """Whether the bot's reply to a question holds its answer. Citation marks are dropped
    first: a reply citing source [12] does not answer "12"."""
    answers = [normalize_answer(a) for a in question.answers]
    text = _CITATION_MARK.sub(" ", answer.text)
    return ReplyResult(
        question_id=question.id,
        mode=str(answer.mode),
        holds_answer=holds_answer(normalize_answer(text), answers),
    )


@dataclass(frozen=True)
class AbstentionReport:
    """Replies to questions a corpus does not cover, over all questions."""

    not_found: Figure  # the bot said its news does not answer
    off_corpus: Figure  # an answer that does not hold the correct choice
    holding: Figure  # an answer holding it (by chance, or the corpus does cover it)


def summarise_abstention(results: Sequence[ReplyResult]) -> AbstentionReport:
    total = len(results)
    not_found = sum(1 for r in results if r.mode == NOT_FOUND_MODE)
    holding = sum(1 for r in results if r.mode != NOT_FOUND_MODE and r.holds_answer)
    return AbstentionReport(
        not_found=Figure(not_found, total),
        off_corpus=Figure(total - not_found - holding, total),
        holding=Figure(holding, total),
    )


def summarise_replies(results: Sequence[ReplyResult]) -> ReplyReport:
    found = sum(1 for r in results if r.holds_answer)
    return ReplyReport(Figure(found, len(results)), dict(Counter(r.mode for r in results)))


async def ask_questions(
    assistant: NewsAssistant,
    questions: Sequence[Question],
    *,
    concurrency: int = 4,
    progress: Callable[[int], None] | None = None,
) -> list[ReplyResult]:
    """Ask every question as of its date through the bot's whole question path, a few at
    a time (an LLM's waits overlap; the search micro-batches what arrives together)."""
    results: list[ReplyResult] = []
    for start in range(0, len(questions), concurrency):
        part = questions[start : start + concurrency]
        answers = await asyncio.gather(
            *(
                assistant.ask(q.text, now=end_of_day(q.asked_on), as_of=end_of_day(q.asked_on))
                for q in part
            )
        )
        results.extend(judge_reply(q, a) for q, a in zip(part, answers, strict=True))
        if progress is not None:
            progress(len(results))
    return results
