"""From retrieved passages to a cited `Answer`: LLM first, extractive composer as fallback.

1. Passages whose `similarity` (query-chunk cosine) is below `min_similarity` are not
   evidence, unless they hold most of the question's words, nor those lacking a year the
   searched text names (`retrieval/evidence.py`). The default, 0.25, suits all-MiniLM-L6-v2:
   a chunk that answers a question usually scores 0.35-0.7 against it, unrelated news
   0.0-0.2. None left: NOT_FOUND, with the closest headlines as citations.
2. With an LLM: numbered sources -> reply (streamed through `on_partial`: `llm_stream`) ->
   plain text, unsupported sentences and unknown [n] dropped -> renumbered 1..m by first
   use (`retrieval/llm_reply.py`). The model's NOT_FOUND sentinel or a refusal is
   NOT_FOUND (no fallback: the model read the sources). A reply that cites nothing, or
   none of whose claims its sources support (a small model's guess), falls back like an
   LLMError: the composer's own rules then say whether the sources answer.
3. No LLM, LLMError, or an uncited reply: the extractive composer, over the evidence that
   names the question's names and holds its rare words (`retrieval/quotable.py`);
   nothing relevant there either: NOT_FOUND.

Whether the question reads as English (`retrieval/question_language.py`, with the corpus's
statistics) is judged once per question (`reads_english`) and passed to the composer's name
rule, the reply check's (`SourceFacts`) and the language hint: names are checked only in an
English question, and only a question not in English is told it is read in English.

One question's LLM calls (the follow-up rewrite, then the answer or briefing) share one
`LLMBudget` (`retrieval/llm.py`): `NewsAssistant` takes it from `llm_budget()` and passes it
to each call; a call made without one gets a budget of its own. Out of time: as LLMError.

`Answer.timings` holds seconds: "llm", "llm_first_token" (streaming), "extractive",
"answer" (the whole call).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import date
from time import perf_counter
from typing import TypeVar

from index.errors import LLMError
from index.protocols import Embedder
from retrieval.condense import followed_answer
from retrieval.condense_llm import condense_question
from retrieval.coverage import TermStats
from retrieval.evidence import evidence_for
from retrieval.extractive import compose_extractive
from retrieval.llm import Generator, LLMBudget
from retrieval.llm_reply import ReplyKind
from retrieval.llm_stream import PartialCallback, llm_answer
from retrieval.not_found import closest_headlines, not_found_text, with_language_hint
from retrieval.prompt import Turn
from retrieval.question_language import is_multilingual_model, looks_english
from retrieval.quotable import quotable
from retrieval.types import Answer, AnswerMode, Citation, Passage

logger = logging.getLogger(__name__)


DEFAULT_MIN_SIMILARITY = 0.25

T = TypeVar("T")


class Answerer:
    """Turns passages into an Answer. Holds the optional LLM and the embedder (not owned:
    the caller closes them)."""

    def __init__(
        self,
        *,
        llm: Generator | None = None,
        embedder: Embedder | None = None,
        term_stats: TermStats | None = None,
        min_similarity: float = DEFAULT_MIN_SIMILARITY,
        max_llm_passages: int = 6,
        max_headlines: int = 3,
        extractive_max_chars: int = 900,
        extractive_max_sentences: int = 4,
        partial_min_chars: int = 40,
        executor: Executor | None = None,
    ) -> None:
        if max_llm_passages <= 0 or max_headlines < 0 or partial_min_chars < 0:
            raise ValueError("max_llm_passages must be positive, the others not negative")
        self._llm = llm
        self._embedder = embedder
        self._term_stats = term_stats  # the corpus's word statistics, for the composer
        self._min_similarity = min_similarity
        self._max_llm_passages = max_llm_passages
        self._max_headlines = max_headlines
        self._extractive_max_chars = extractive_max_chars
        self._extractive_max_sentences = extractive_max_sentences
        self._partial_min_chars = partial_min_chars
        self._executor = executor  # where embedding runs; default: asyncio.to_thread
        # An English-only model finds nothing for a question in another language: say so
        # (`retrieval/not_found.py`). Without an embedder, the default model is assumed.
        self._english_only = embedder is None or not is_multilingual_model(embedder.model_name)

    def llm_budget(self) -> LLMBudget | None:
        """A fresh time budget for one question's LLM calls; None without an LLM."""
        return None if self._llm is None else self._llm.budget()

    async def reads_english(self, question: str) -> bool:
        """Whether `question` reads as English (`looks_english` with the corpus's
        statistics), judged once per question. Off the loop: the statistics are read under
        the keyword index's lock, which a re-index can hold."""
        judge = functools.partial(looks_english, question, self._term_stats)
        return await self._off_loop(judge)

    async def answer(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        today: date,
        history: Sequence[Turn] = (),
        query: str,
        on_partial: PartialCallback | None = None,
        budget: LLMBudget | None = None,
        english: bool | None = None,
    ) -> Answer:
        """The answer (`_answer`), told when the question seems not to be in English.
        `english`: `reads_english(question)`, when the caller has judged it already."""
        if english is None:
            english = await self.reads_english(question)
        answer = await self._answer(
            question,
            passages,
            today,
            history,
            query,
            on_partial=on_partial,
            budget=budget,
            english=english,
        )
        if not self._english_only:
            return answer
        return with_language_hint(answer, question, english=english)

    async def _answer(
        self,
        question: str,
        passages: Sequence[Passage],
        today: date,
        history: Sequence[Turn],
        query: str,
        *,
        on_partial: PartialCallback | None,
        budget: LLMBudget | None,
        english: bool,
    ) -> Answer:
        started = perf_counter()
        timings: dict[str, float] = {}

        def finish(text: str, citations: tuple[Citation, ...], mode: AnswerMode) -> Answer:
            timings["answer"] = perf_counter() - started
            return Answer(text, citations, mode, query, tuple(passages), timings)

        def not_found() -> Answer:
            citations = closest_headlines(passages, self._max_headlines)
            return finish(not_found_text(citations), citations, AnswerMode.NOT_FOUND)

        evidence = evidence_for(passages, query, self._min_similarity)
        if not evidence:
            return not_found()

        if self._llm is not None:
            try:
                parsed = await llm_answer(
                    self._llm,
                    question,
                    evidence[: self._max_llm_passages],
                    today=today,
                    history=history,
                    english=english,
                    on_partial=on_partial,
                    timings=timings,
                    budget=budget or self.llm_budget(),
                    min_chars=self._partial_min_chars,
                )
            except LLMError as exc:
                logger.info("LLM failed (%s); answering extractively", exc.user_message)
            else:
                if parsed.kind is ReplyKind.ANSWER:
                    return finish(parsed.text, parsed.citations, AnswerMode.LLM)
                if parsed.kind is ReplyKind.NOT_FOUND:
                    return not_found()
                logger.info("LLM reply cited no source; answering extractively")

        extractive_started = perf_counter()
        compose = functools.partial(self._compose, question, query, evidence, history, english)
        composed = await self._off_loop(compose)
        timings["extractive"] = perf_counter() - extractive_started
        if composed is None:
            return not_found()
        return finish(*composed, AnswerMode.EXTRACTIVE)

    async def brief(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        today: date,
        query: str,
        on_partial: PartialCallback | None = None,
        budget: LLMBudget | None = None,
        english: bool | None = None,
    ) -> Answer | None:
        """With an LLM, a cited summary of articles chosen by their date rather than by
        similarity (a question with no topic: "What happened yesterday?"), so no
        similarity floor applies. None without an LLM, when it fails or finds nothing to
        say: the caller then lists the articles. `english` as for `answer`."""
        if self._llm is None or not passages:
            return None
        if english is None:
            english = await self.reads_english(question)
        started = perf_counter()
        timings: dict[str, float] = {}
        try:
            parsed = await llm_answer(
                self._llm,
                question,
                passages[: self._max_llm_passages],
                today=today,
                history=(),
                english=english,
                on_partial=on_partial,
                timings=timings,
                budget=budget or self.llm_budget(),
                min_chars=self._partial_min_chars,
            )
        except LLMError as exc:
            logger.info("LLM briefing failed (%s); listing the articles", exc.user_message)
            return None
        if parsed.kind is not ReplyKind.ANSWER:
            return None
        timings["answer"] = perf_counter() - started
        return Answer(
            parsed.text, parsed.citations, AnswerMode.LLM, query, tuple(passages), timings
        )

    def _compose(
        self,
        question: str,
        query: str,
        evidence: Sequence[Passage],
        history: Sequence[Turn],
        english: bool,
    ) -> tuple[str, tuple[Citation, ...]] | None:
        """The composer's answer from the evidence it may quote (`retrieval/quotable.py`;
        the statistics it reads take the keyword index's lock: off the loop)."""
        chosen = quotable(question, query, evidence, term_stats=self._term_stats, english=english)
        if not chosen:
            return None
        return compose_extractive(
            question,
            chosen,
            embedder=self._embedder,
            max_chars=self._extractive_max_chars,
            max_sentences=self._extractive_max_sentences,
            query=query,
            previous_answer=followed_answer(question, history),  # a follow-up: keep its story
        )

    async def _off_loop(self, work: Callable[[], T]) -> T:
        """Embedding is CPU work: run it off the event loop."""
        if self._embedder is None:
            return work()
        if self._executor is not None:
            return await asyncio.get_running_loop().run_in_executor(self._executor, work)
        return await asyncio.to_thread(work)

    async def condense(
        self, question: str, history: Sequence[Turn], *, budget: LLMBudget | None = None
    ) -> str:
        """A standalone search query for a follow-up (`retrieval/condense_llm.py`)."""
        return await condense_question(
            question, history, llm=self._llm, budget=budget or self.llm_budget()
        )
