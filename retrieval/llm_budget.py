"""One question's time for the language model (`LLMBudget`), shared by all its calls: the
follow-up rewrite, the answer, their retries and back-off waits (`retrieval/llm.py`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from index.errors import LLMError

logger = logging.getLogger(__name__)

TIMED_OUT = "The language model took too long to answer."


class LLMBudget:
    """The seconds one question may still spend waiting on the language model, over all its
    calls. Calls draw on it in turn (one question runs on one task); once it is spent, a
    call fails at once with LLMError, without a request."""

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("LLMBudget seconds must be positive")
        self._left = seconds
        self._shown = False

    @property
    def left(self) -> float:
        """Seconds left; zero or less when spent."""
        return self._left

    @property
    def shown(self) -> bool:
        """Whether part of the answer is on the user's screen (`mark_shown`)."""
        return self._shown

    def mark_shown(self) -> None:
        """Part of the streaming answer is on the user's screen: from now on its stream is
        ended only by a stall, not by this budget running out."""
        self._shown = True

    @contextmanager
    def drawn(self) -> Iterator[float]:
        """Around one call: yields the event-loop time by which it must end, and takes the
        time it ran (however it ended) off the budget."""
        if self._left <= 0:
            logger.info("LLM call skipped: the question's time for the language model is spent")
            raise LLMError(TIMED_OUT)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            yield started + self._left
        finally:
            self._left -= loop.time() - started
