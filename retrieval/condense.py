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


# Words that point back at the previous question ("what did he say?", "is it over?").
# "why" and "how" do not: "Why did Steve Jobs resign?" asks about a subject of its own.
_REFERRING = _wordset(
    """it its they them their he him his she her this that these those there same also else
    more"""
)
_CONTINUATIONS = ("and ", "what about", "how about", "also ", "but ")
# A reaction asked of a named subject without saying to what ("How did Germany react?")
# is a reaction to the previous question's news.
_REACTING = _wordset(
    """react reacted reacts reaction reactions respond responded responds response responses
    reply replied replies comment commented comments"""
)


# "why did ...", "who is ...": the words after the auxiliary are the question's own subject.
_WH_AUXILIARY = re.compile(
    r"^(?:why|how|when|where|who|what|which)\s+"
    r"(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could)\s",
    re.IGNORECASE,
)


def names_a_subject(question: str) -> bool:
    """Whether the question names what it asks about: a capitalised content word after the
    first word ("Why did Steve Jobs resign?") and something to ask about it (two content
    words or more), or, lower-cased, three content words after "why did", "who is"...
    ("why did steve jobs resign?"). "In Tokyo?" names a place but asks nothing of its own;
    "how many people died?" names nothing."""
    words = tokenize(question)
    terms = set(content_terms(question))
    named = any(w[:1].isupper() and w.lower() in terms for w in words[1:])
    if named and len(terms) >= 2:
        return True
    return len(terms) >= 3 and _WH_AUXILIARY.match(question) is not None


def leans_back(question: str) -> bool:
    """Whether the question continues the previous one: it continues ("and...", "what
    about..."), refers back ("it", "they", "there"...), or is short (three content words or
    fewer) and asks for a reaction or names no subject of its own."""
    words = {w.lower() for w in tokenize(question)}
    if question.lower().startswith(_CONTINUATIONS) or words & _REFERRING:
        return True
    if len(content_terms(question)) > 3:
        return False
    return bool(words & _REACTING) or not names_a_subject(question)


def heuristic_condense(question: str, history: Sequence[Turn]) -> str:
    """Without an LLM: when the question leans on the previous user question
    (`leans_back`), prepend up to six content words of that question it lacks. Otherwise
    unchanged."""
    question = question.strip()
    previous = next((text for role, text in reversed(history) if role == "user"), None)
    if not previous or not question or not leans_back(question):
        return question
    terms = content_terms(question)
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
