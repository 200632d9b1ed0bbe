"""An LLM answer over numbered sources (`llm_answer`): the prompt, the reply (streamed: the
text so far shown through a callback as it grows), made plain, checked and cited.

Each partial is what `partial_view` makes of the text so far (checked against the sources'
facts, read once per answer); it is shown when at least `min_chars` more came and it
differs from the last one shown. A callback that fails stops the partials, never the answer.

Once a partial is shown, the question's budget is told (`LLMBudget.mark_shown`): the user
is reading the answer, so only a stall ends its stream, not the budget running out.

A reply that breaks off (CONNECTION_DROPPED: the connection dropped, or the stream ended
without a finish) or that `max_tokens` stopped (`ReplyCut`, streamed or not) keeps its
finished sentences when at least one of them is a cited, supported claim; its unfinished
last sentence is never the answer's end. Otherwise the LLMError goes on, and the caller
answers another way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import date
from time import perf_counter

from index.errors import LLMError
from retrieval.grounding import SourceFacts, split_reply
from retrieval.llm import CONNECTION_DROPPED, Generator, LLMBudget, ReplyCut
from retrieval.llm_reply import ParsedReply, checkable_text, parse_llm_reply, partial_view
from retrieval.prompt import Turn, build_messages
from retrieval.types import Passage

logger = logging.getLogger(__name__)

PartialCallback = Callable[[str], Awaitable[None]]

_STOPPED = "reached max_tokens"
# A sentence that ended: its stop (maybe inside quotes or brackets), then its markers.
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*(?:\s*\[[\d,;\s–-]+\])*\s*$")


def finished_sentences(text: str) -> str:
    """`text` without its last sentence when that one did not end (pure): what a reply cut
    off mid-stream said in full."""
    sentences = split_reply(text)
    if sentences and not sentences[-1][1] and not _ENDED.search(sentences[-1][0]):
        sentences = sentences[:-1]
    return "".join(sentence + separator for sentence, separator in sentences).strip()


def _kept(text: str, facts: SourceFacts, why: str) -> str | None:
    """The finished sentences of a reply that did not end (`why` it did not), when they hold
    a cited, supported claim; else None."""
    kept = finished_sentences(text)
    if partial_view(kept, len(facts.sources), facts=facts, whole=True) is None:
        return None
    logger.info("kept the finished sentences of a reply that %s", why)
    return kept


async def generate_reply(
    llm: Generator,
    messages: list[dict[str, str]],
    facts: SourceFacts,
    on_partial: PartialCallback | None,
    *,
    timings: dict[str, float],
    budget: LLMBudget | None,
    min_chars: int,
) -> str:
    """The model's whole reply; streamed through `on_partial` when given ("llm_first_token"
    goes into `timings`). A reply that broke off or reached `max_tokens` is cut to its
    finished sentences when they hold a cited claim; else LLMError."""
    if on_partial is None:
        try:
            return await llm.complete(messages, budget=budget)
        except ReplyCut as cut:
            kept = _kept(cut.text, facts, _STOPPED)
            if kept is None:
                raise
            return kept
    started = perf_counter()
    parts: list[str] = []
    shown = 0
    last_view: str | None = None
    deltas = llm.stream(messages, budget=budget)
    try:
        async for delta in deltas:
            if not parts:
                timings["llm_first_token"] = perf_counter() - started
            parts.append(delta)
            text = "".join(parts)
            if on_partial is None or len(text) - shown < min_chars:
                continue
            view = partial_view(text, len(facts.sources), facts=facts)
            if view is None or view == last_view:
                continue
            last_view = view
            shown = len(text)
            try:
                await on_partial(view)
            except Exception:  # a failed progress update must not lose the answer
                logger.warning("partial answer callback failed; no more partials", exc_info=True)
                on_partial = None
            else:
                if budget is not None:
                    budget.mark_shown()
    except LLMError as exc:
        cut = isinstance(exc, ReplyCut)
        if not cut and exc.user_message != CONNECTION_DROPPED:
            raise
        kept = _kept("".join(parts), facts, _STOPPED if cut else "broke off")
        if kept is None:
            raise
        return kept
    finally:
        if isinstance(deltas, AsyncGenerator):  # stop the request if we leave early
            await deltas.aclose()
    return "".join(parts)


async def llm_answer(
    llm: Generator,
    question: str,
    sources: Sequence[Passage],
    *,
    today: date,
    history: Sequence[Turn],
    english: bool,
    on_partial: PartialCallback | None,
    timings: dict[str, float],
    budget: LLMBudget | None,
    min_chars: int,
) -> ParsedReply:
    """The model's reply over `sources` (numbered 1..n in the prompt), made plain, checked
    against them (its names only when the question reads as `english`) and cited
    (`parse_llm_reply`); "llm" goes into `timings`. Raises LLMError when the model fails."""
    sources = list(sources)
    messages = build_messages(question, sources, today=today, history=history)
    started = perf_counter()
    try:
        # The sources' facts, read once: a streamed reply is checked at each partial.
        facts = SourceFacts.of([checkable_text(p) for p in sources], question, english=english)
        raw = await generate_reply(
            llm, messages, facts, on_partial, timings=timings, budget=budget, min_chars=min_chars
        )
    finally:
        timings["llm"] = perf_counter() - started
    return parse_llm_reply(raw, sources, facts=facts)
