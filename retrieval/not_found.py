"""The "not found" reply (pure): the bot says its news does not answer, and lists the
closest headlines, one per article and story, so the user can judge and ask again."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.types import Citation, Passage

NOT_FOUND_TEXT = "The news I have does not answer this."
CLOSEST_HEADLINES = "Closest headlines:"


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


def not_found_text(citations: Sequence[Citation]) -> str:
    if not citations:
        return NOT_FOUND_TEXT
    lines = [f"[{c.number}] {c.passage.title}" for c in citations]
    return "\n".join([NOT_FOUND_TEXT, CLOSEST_HEADLINES, *lines])
