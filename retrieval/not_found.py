"""The "not found" reply (pure): the bot says its news does not answer, and lists the
closest headlines, one per article and story, so the user can judge and ask again.

A question that does not read as English (`retrieval/question_language.py`), searched with
an English-only embedding model, is told so instead: its answer is often indexed, and
"the news does not answer this" would mislead. An answer it did get on weak evidence
carries the same hint as a last line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from retrieval.coverage import TermStats
from retrieval.question_language import looks_english
from retrieval.types import Answer, AnswerMode, Citation, Passage

NOT_FOUND_TEXT = "The news I have does not answer this."
CLOSEST_HEADLINES = "Closest headlines:"
ENGLISH_ONLY_TEXT = (
    "I read questions in English: the news and my search are English. Try asking in English."
)
ENGLISH_ONLY_NOTE = (
    "I read questions in English: the news and my search are English, so this may miss "
    "what you asked. Try asking in English."
)
# An answer none of whose cited passages is at least this close to a non-English question
# rests on weak evidence (all-MiniLM-L6-v2 scores an answering chunk 0.35-0.7 against an
# English question; against a question in another language, lower still).
WEAK_SIMILARITY = 0.5


def closest_headlines(passages: Sequence[Passage], limit: int = 3) -> tuple[Citation, ...]:
    """Up to `limit` passages of distinct articles/stories, best first, numbered 1..n."""
    chosen: list[Passage] = []
    seen: set[tuple[str, int]] = set()
    for passage in passages:
        keys = {("article", passage.article_id)}
        if passage.story_id is not None:
            keys.add(("story", passage.story_id))
        if keys & seen:
            continue
        seen |= keys
        chosen.append(passage)
        if len(chosen) == limit:
            break
    return tuple(Citation(n, p) for n, p in enumerate(chosen, start=1))


def not_found_text(citations: Sequence[Citation], lead: str = NOT_FOUND_TEXT) -> str:
    if not citations:
        return lead
    lines = [f"[{c.number}] {c.passage.title}" for c in citations]
    return "\n".join([lead, CLOSEST_HEADLINES, *lines])


def with_language_hint(
    answer: Answer,
    question: str,
    *,
    term_stats: TermStats | None = None,
    english: bool | None = None,
) -> Answer:
    """`answer`, told that questions are read in English when `question` does not look
    English (`english`, when the caller has judged it; else `looks_english`) and the answer
    is "not found" (the hint replaces that sentence; the closest headlines stay: one may be
    the story asked about) or rests on weak evidence (the hint follows it). Callers use it
    only with an embedding model that reads English alone."""
    weak = answer.mode is AnswerMode.NOT_FOUND or all(
        c.passage.similarity < WEAK_SIMILARITY for c in answer.citations
    )
    if not weak:
        return answer
    if english if english is not None else looks_english(question, term_stats):
        return answer
    if answer.mode is AnswerMode.NOT_FOUND:
        text = not_found_text(answer.citations, lead=ENGLISH_ONLY_TEXT)
    else:
        text = f"{answer.text.rstrip()}\n{ENGLISH_ONLY_NOTE}"
    return dataclasses.replace(answer, text=text)
