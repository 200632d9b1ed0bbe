"""A follow-up question as a standalone search query: the LLM's rewrite when there is one,
else `heuristic_condense` (`retrieval/condense.py`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from index.errors import LLMError
from retrieval.condense import clean_condensed, fits_as_query, heuristic_condense
from retrieval.llm import Generator, LLMBudget, ReplyCut
from retrieval.prompt import Turn, condense_messages

logger = logging.getLogger(__name__)


async def condense_question(
    question: str,
    history: Sequence[Turn],
    *,
    llm: Generator | None,
    budget: LLMBudget | None = None,
) -> str:
    """The query to search for `question`; the question itself without earlier user turns.
    A rewrite that is empty, the not-found sentinel, unrelated to the question and the
    conversation, or far longer than the question is not used (`fits_as_query`)."""
    question = question.strip()
    if not any(role == "user" for role, _ in history):
        return question
    if llm is not None:
        try:
            reply = await llm.complete(
                condense_messages(history, question), max_tokens=96, budget=budget
            )
        except ReplyCut as cut:
            # A small model writes the query, then talks on until the limit: its first line
            # is still the query when that line ended; an unfinished one is never searched.
            reply = cut.text if "\n" in cut.text.strip() else ""
        except LLMError as exc:
            logger.info("LLM condense failed (%s); using the heuristic", exc.user_message)
            return heuristic_condense(question, history)
        condensed = clean_condensed(reply)
        if condensed and fits_as_query(condensed, question, history):
            return condensed
        logger.info("LLM rewrite of a follow-up is no query; using the heuristic")
    return heuristic_condense(question, history)
