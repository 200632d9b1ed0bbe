"""An LLM reply, streamed: the text so far shown through a callback as it grows.

Each partial is what `partial_view` makes of the text so far (checked against the sources'
facts, read once per answer); it is shown when at least `min_chars` more came and it
differs from the last one shown. A callback that fails stops the partials, never the answer.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from time import perf_counter

from retrieval.grounding import SourceFacts
from retrieval.llm import Generator, LLMBudget
from retrieval.llm_reply import partial_view

logger = logging.getLogger(__name__)

PartialCallback = Callable[[str], Awaitable[None]]


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
    goes into `timings`)."""
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
    finally:
        if isinstance(deltas, AsyncGenerator):  # stop the request if we leave early
            await deltas.aclose()
    return "".join(parts)
