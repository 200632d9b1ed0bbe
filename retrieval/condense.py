"""A follow-up question made standalone (pure): the LLM's rewrite cleaned to one line, or,
without an LLM, the previous question's content words it lacks put in front when it leans on
that question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.extractive import content_terms, tokenize
from retrieval.prompt import Turn


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Follow-ups that lean on the previous question ("what about him?", "and in Japan?").
_REFERRING = _wordset(
    """it its they them their he him his she her this that these those there same also else
    more why how"""
)
_CONTINUATIONS = ("and ", "what about", "how about", "also ", "but ")


def heuristic_condense(question: str, history: Sequence[Turn]) -> str:
    """Without an LLM: when the follow-up is short (three content words or fewer), refers
    back ("it", "they", "there"...) or continues ("and...", "what about..."), prepend up to
    six content words of the previous user question that it lacks. Otherwise unchanged."""
    question = question.strip()
    previous = next((text for role, text in reversed(history) if role == "user"), None)
    if not previous or not question:
        return question
    terms = content_terms(question)
    words = {w.lower() for w in tokenize(question)}
    leans_back = (
        len(terms) <= 3 or bool(words & _REFERRING) or question.lower().startswith(_CONTINUATIONS)
    )
    if not leans_back:
        return question
    have = set(terms)
    wanted = set(content_terms(previous)) - have
    extra: list[str] = []
    for word in tokenize(previous):  # keep the previous question's spelling and order
        if word.lower() in wanted and word.lower() not in {e.lower() for e in extra}:
            extra.append(word)
    return " ".join([*extra[:6], question]) if extra else question


def clean_condensed(reply: str) -> str:
    line = next((ln for ln in reply.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^\s*(?:standalone query|query)\s*:\s*", "", line, flags=re.IGNORECASE)
    return line.strip().strip("\"'“”‘’`").strip()
