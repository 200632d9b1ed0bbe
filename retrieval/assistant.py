"""The question path: understand, search, answer. The bot and the command line both call it.

A question that names no topic ("What happened yesterday?", "latest news") is answered by
a digest: the headline of each article the search lists, with a lead sentence when one is
about it, cited. An answer to a question about
a period none of whose cited articles is from that period says so in its first line.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from retrieval.answering import Answerer
from retrieval.async_search import AsyncSearcher
from retrieval.catalog import to_epoch
from retrieval.condense import refers_back
from retrieval.dates import describe_range
from retrieval.headlines import headline, lead
from retrieval.llm import LLMBudget
from retrieval.merge import merge_by_article
from retrieval.prompt import Turn
from retrieval.query import QueryPlan, understand
from retrieval.search_settings import period_window
from retrieval.types import Answer, AnswerMode, Citation, DateRange, Passage

LATEST_HEADING = "The latest news:"


def pin_first(pinned: Sequence[Passage], found: Sequence[Passage], k: int) -> list[Passage]:
    """`pinned` first, then the search results they leave room for (pure)."""
    taken = {p.chunk_id for p in pinned}
    rest = [p for p in found if p.chunk_id not in taken]
    return [*pinned, *rest][: max(k, len(pinned))]


def in_period(passage: Passage, period: DateRange) -> bool:
    """Whether a passage's article was published in `period` (undated: not known to be)."""
    if passage.published_at is None:
        return False
    when = to_epoch(passage.published_at)
    start, end = period.start, period.end
    return (start is None or when >= to_epoch(start)) and (end is None or when <= to_epoch(end))


def period_caveat(
    cited: Sequence[Passage],
    period: DateRange,
    *,
    timezone: str = "UTC",
    outlets: Sequence[str] = (),
) -> str | None:
    """ "Nothing from 23 Nov 2026 to 30 Nov 2026; older coverage:" when no cited article
    is from `period`, else None (pure). Older or later when all dated ones are. The
    outlets the question named are said ("Nothing from 29 Nov 2026 (CNN); ..."): the
    caveat is about their news, not all news."""
    if not cited or any(in_period(p, period) for p in cited):
        return None
    times = [to_epoch(p.published_at) for p in cited if p.published_at is not None]
    side = "other"
    if times and len(times) == len(cited):
        if period.start is not None and max(times) < to_epoch(period.start):
            side = "older"
        elif period.end is not None and min(times) > to_epoch(period.end):
            side = "later"
    by = f" ({', '.join(outlets)})" if outlets else ""
    return f"Nothing {describe_range(period, timezone)}{by}; {side} coverage:"


def digest(passages: Sequence[Passage], heading: str) -> tuple[str, tuple[Citation, ...]]:
    """A heading and one cited line per article (its headline, and a lead sentence when
    one is about it), in the order given (pure)."""
    citations = tuple(Citation(n, p) for n, p in enumerate(merge_by_article(passages), start=1))
    lines = []
    for citation in citations:
        title, first = headline(citation.passage), lead(citation.passage)
        lines.append(
            f"• {title} — {first} [{citation.number}]"
            if first
            else f"• {title} [{citation.number}]"
        )
    return "\n".join([heading, *lines]), citations


def _noted(answer: Answer, plan: QueryPlan) -> Answer:
    """The answer led by the line naming the outlets asked for that have no articles."""
    note = plan.unknown_sources_note()
    return dataclasses.replace(answer, text=f"{note}\n{answer.text}") if note else answer


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
        budget = self._answerer.llm_budget()  # all of this question's LLM calls share it
        # Regular expressions over one question (~0.1 ms): on the loop, not queued behind
        # the searches on the worker thread.
        plan = self._plan(question, now, as_of, sources, date_range)
        if history and not asks_for_a_period(plan, question):
            standalone = await self._answerer.condense(question, history, budget=budget)
            plan = self._plan(standalone, now, as_of, sources, date_range)
        # Judged once for every answer and briefing below (it may read the index's lock).
        english = await self._answerer.reads_english(question)

        async def answer_from(found: Sequence[Passage], search_seconds: float) -> Answer:
            answer = await self._answerer.answer(
                question,
                merge_by_article(found),
                today=now.date(),
                history=history,
                query=plan.text,
                on_partial=on_partial,
                budget=budget,
                english=english,
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
        search_seconds = time.perf_counter() - searched
        if pinned:
            passages = pin_first(pinned, passages, k or self._passages)
        elif plan.browse and passages:
            browsed = await self._browse_answer(
                question,
                plan,
                passages,
                now=now,
                on_partial=on_partial,
                timings={"search": search_seconds},
                started=started,
                budget=budget,
                english=english,
            )
            return _noted(browsed, plan)
        answer = await answer_from(passages, search_seconds)
        return _noted(self._with_caveat(answer, plan), plan) if not pinned else answer

    async def _browse_answer(
        self,
        question: str,
        plan: QueryPlan,
        passages: Sequence[Passage],
        *,
        now: datetime,
        on_partial: Callable[[str], Awaitable[None]] | None,
        timings: dict[str, float],
        started: float,
        budget: LLMBudget | None,
        english: bool,
    ) -> Answer:
        """A question with no topic: the LLM's cited briefing on the period's articles under
        the period heading, else one cited line per article."""
        heading = self._heading(plan, passages)

        async def headed(partial: str) -> None:
            assert on_partial is not None
            await on_partial(f"{heading}\n{partial}")

        briefing = await self._answerer.brief(
            question,
            merge_by_article(passages),
            today=now.date(),
            query=plan.text,
            on_partial=headed if on_partial is not None else None,
            budget=budget,
            english=english,
        )
        if briefing is not None:
            total = {**briefing.timings, **timings, "total": time.perf_counter() - started}
            text = f"{heading}\n{briefing.text}"
            return dataclasses.replace(briefing, text=text, passages=tuple(passages), timings=total)
        text, citations = digest(passages, heading)
        total = {**timings, "total": time.perf_counter() - started}
        return Answer(text, citations, AnswerMode.EXTRACTIVE, plan.text, tuple(passages), total)

    def _heading(self, plan: QueryPlan, passages: Sequence[Passage]) -> str:
        """A digest's first line: the period it covers, or that it holds nothing from it."""
        period = plan.filters.date_range or plan.period
        outlets = ", ".join(plan.filters.sources)
        if period is None:
            return f"The latest from {outlets}:" if outlets else LATEST_HEADING
        sources = plan.filters.sources
        caveat = period_caveat(passages, period, timezone=self._timezone, outlets=sources)
        by = f" ({outlets})" if outlets else ""
        return caveat or f"News {describe_range(period, self._timezone)}{by}:"

    def _with_caveat(self, answer: Answer, plan: QueryPlan) -> Answer:
        """The answer led by a caveat when the question names a period (not a filter) and
        none of its cited articles is from it, counting the reporting lag of the search."""
        if plan.period is None or plan.filters.date_range is not None or not answer.citations:
            return answer
        if answer.mode is AnswerMode.NOT_FOUND:
            return answer
        window = period_window(plan.period, self._searcher.searcher.settings.period_lag_days)
        cited = [c.passage for c in answer.citations]
        if any(in_period(p, window) for p in cited):
            return answer
        caveat = period_caveat(
            cited, plan.period, timezone=self._timezone, outlets=plan.filters.sources
        )
        if caveat is None:
            return answer
        return dataclasses.replace(answer, text=f"{caveat}\n{answer.text}")

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


def asks_for_a_period(plan: QueryPlan, question: str) -> bool:
    """Whether a question asks for a period's or an outlet's news and nothing else ("What
    happened in 2008?"): it stands alone whatever came before, as a fresh chat's would;
    one that refers back ("What happened to him yesterday?") is a follow-up (pure)."""
    named = plan.period is not None or plan.recency or bool(plan.filters.sources)
    return plan.browse and named and not refers_back(question)
