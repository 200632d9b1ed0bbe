"""The question path: understand, search, answer. The bot and the command line both call it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from retrieval.answering import Answerer
from retrieval.async_search import AsyncSearcher
from retrieval.merge import merge_by_article
from retrieval.prompt import Turn
from retrieval.query import QueryPlan, understand
from retrieval.types import Answer, AnswerMode, DateRange, Passage


def pin_first(pinned: Sequence[Passage], found: Sequence[Passage], k: int) -> list[Passage]:
    """`pinned` first, then the search results they leave room for (pure)."""
    taken = {p.chunk_id for p in pinned}
    rest = [p for p in found if p.chunk_id not in taken]
    return [*pinned, *rest][: max(k, len(pinned))]


class NewsAssistant:
    """Answers questions from the indexed news, citing its sources."""

    def __init__(
        self,
        *,
        searcher: AsyncSearcher,
        answerer: Answerer,
        timezone: str = "UTC",
        passages: int = 6,
    ) -> None:
        if passages < 1:
            raise ValueError("passages must be at least 1")
        self._searcher = searcher
        self._answerer = answerer
        self._timezone = timezone
        self._passages = passages

    @property
    def searcher(self) -> AsyncSearcher:
        return self._searcher

    async def ask(
        self,
        question: str,
        *,
        now: datetime,
        history: Sequence[Turn] = (),
        as_of: datetime | None = None,
        on_partial: Callable[[str], Awaitable[None]] | None = None,
        k: int | None = None,
        sources: Sequence[str] = (),
        date_range: DateRange | None = None,
        pinned: Sequence[Passage] = (),
    ) -> Answer:
        """A cited answer to `question` as of `now`; `history` turns a follow-up standalone.

        `sources` and `date_range` come from the caller (command-line options) and take
        precedence over what the question itself says. `pinned` passages (the article a
        user replied to) are asked first; only when they do not answer is the search
        widened to everything, with them in front.
        """
        started = time.perf_counter()
        standalone = await self._answerer.condense(question, history) if history else question
        # Regular expressions over one question (~0.1 ms): on the loop, not queued behind
        # the searches on the worker thread.
        plan = self._plan(standalone, now, as_of, sources, date_range)

        async def answer_from(found: Sequence[Passage], search_seconds: float) -> Answer:
            answer = await self._answerer.answer(
                question,
                merge_by_article(found),
                today=now.date(),
                history=history,
                query=plan.text,
                on_partial=on_partial,
            )
            timings = {
                **answer.timings,
                "search": search_seconds,
                "total": time.perf_counter() - started,
            }
            return dataclasses.replace(answer, passages=tuple(found), timings=timings)

        if pinned:
            answer = await answer_from(pinned, 0.0)
            if answer.mode is not AnswerMode.NOT_FOUND:
                return answer
        searched = time.perf_counter()
        passages = await self._searcher.search(plan, k=k or self._passages)
        if pinned:
            passages = pin_first(pinned, passages, k or self._passages)
        return await answer_from(passages, time.perf_counter() - searched)

    def _plan(
        self,
        question: str,
        now: datetime,
        as_of: datetime | None,
        sources: Sequence[str],
        date_range: DateRange | None,
    ) -> QueryPlan:
        """The question understood; the caller's outlet and date options take precedence."""
        plan = understand(
            question,
            now=now,
            timezone=self._timezone,
            known_sources=self._searcher.searcher.catalog.sources(),
            as_of=as_of,
        )
        if not sources and date_range is None:
            return plan
        filters = dataclasses.replace(
            plan.filters,
            sources=tuple(sources) or plan.filters.sources,
            date_range=date_range or plan.filters.date_range,
        )
        return dataclasses.replace(plan, filters=filters)
