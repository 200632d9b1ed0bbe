"""An LLM reply, streamed: the text so far shown through a callback as it grows.

Each partial is what `partial_view` makes of the text so far (checked against the sources'
facts, read once per answer); it is shown when at least `min_chars` more came and it
differs from the last one shown. A callback that fails stops the partials, never the answer.

Once a partial is shown, the question's budget is told (`LLMBudget.mark_shown`): the user
is reading the answer, so only a stall ends its stream, not the budget running out.

A reply that breaks off (CONNECTION_DROPPED: the connection dropped, or the stream ended
without a finish) keeps its finished sentences when at least one of them is a cited,
supported claim; its unfinished last sentence is never the answer's end. Otherwise the
LLMError goes on, and the caller answers another way.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from time import perf_counter

from index.errors import LLMError
from retrieval.grounding import SourceFacts, split_reply
from retrieval.llm import CONNECTION_DROPPED, Generator, LLMBudget
from retrieval.llm_reply import partial_view

logger = logging.getLogger(__name__)

PartialCallback = Callable[[str], Awaitable[None]]

# A sentence that ended: its stop (maybe inside quotes or brackets), then its markers.
_ENDED = re.compile(r"[.!?…][\"'”’)\]]*(?:\s*\[[\d,;\s–-]+\])*\s*$")


def finished_sentences(text: str) -> str:
    """`text` without its last sentence when that one did not end (pure): what a reply cut
    off mid-stream said in full."""
    sentences = split_reply(text)
    if sentences and not sentences[-1][1] and not _ENDED.search(sentences[-1][0]):
        sentences = sentences[:-1]
    return "".join(sentence + separator for sentence, separator in sentences).strip()


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
    goes into `timings`). A streamed reply that broke off is cut to its finished sentences
    when they hold a cited claim; else LLMError."""
    if on_partial is None:
        return await llm.complete(messages, budget=budget)
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
        if exc.user_message != CONNECTION_DROPPED:
            raise
        kept = finished_sentences("".join(parts))
        if partial_view(kept, len(facts.sources), facts=facts, whole=True) is None:
            raise
        logger.info("kept the finished sentences of a reply that broke off")
        return kept
    finally:
        if isinstance(deltas, AsyncGenerator):  # stop the request if we leave early
            await deltas.aclose()
    return "".join(parts)
