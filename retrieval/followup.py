"""A follow-up stays on the conversation's story (pure): which candidate sentences the
extractive composer may quote for it, and at what cost.

Without an LLM a follow-up ("How many died?" after "What happened in Munich?") is answered
from sentences of whatever the search found, and its rewritten query ("Munich How many
died?") also finds other stories that answer the bare question (deaths in Mumbai). The story
is the articles the previous answer quoted: a sentence of another article is quoted only when
no sentence of the story qualifies. Then repeats: a sentence the previous answer already
quoted is quoted again only when it holds the kind of thing asked for (a number for "how
many"), and after any new sentence of the story that holds it; for questions whose kind no
pattern tells, repeats stay as they are (the sentence that answers is often the one already
quoted: "who bought it?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_MARKER = re.compile(r"\s*\[\d+\]\s*")
_WORD = re.compile(r"\w+", re.UNICODE)

# Subtracted from a repeat that holds the asked kind: below a new sentence of the story that
# holds it too (both get ANSWER_TYPE_BONUS), still above one that does not.
REPEAT_PENALTY = 0.2


def _key(text: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(text))


def quoted_pieces(previous_answer: str) -> frozenset[str]:
    """The sentences an extractive answer quoted ("S1 [1] S2 [2]"), as comparable keys."""
    pieces = (_key(p) for p in _MARKER.split(previous_answer))
    return frozenset(p for p in pieces if p)


@dataclass(frozen=True)
class FollowUpView:
    """Per candidate: whether it may be quoted, and what to subtract from its score."""

    allowed: tuple[bool, ...]
    penalties: tuple[float, ...]


def follow_up_view(
    texts: Sequence[str],
    articles: Sequence[int],
    headlined: Sequence[bool],
    qualifies: Sequence[bool],
    typed: Sequence[bool] | None,
    previous_answer: str,
) -> FollowUpView | None:
    """Which candidates (their `texts`, the article each is from, whether its headline
    names the conversation's subject, whether each passes the composer's floor, whether
    each holds the asked kind: None when no kind is asked) a follow-up may quote. None
    when the previous answer quoted none of them: no story known."""
    quoted = quoted_pieces(previous_answer)
    repeats = [_key(t) in quoted for t in texts]
    story = {a for a, r in zip(articles, repeats, strict=True) if r}
    if not story:
        return None
    # An answer may quote an article of another story beside the story's own (a chess
    # interview that mentions Munich): the story's articles are headlined by its subject.
    named = {a for a, h in zip(articles, headlined, strict=True) if a in story and h}
    story = named or story
    # A repeat that does not hold the asked kind does not answer: it was the last answer.
    usable = [
        q and not (r and typed is not None and not typed[i])
        for i, (q, r) in enumerate(zip(qualifies, repeats, strict=True))
    ]
    if not any(usable):
        return None
    on_story = any(u and a in story for u, a in zip(usable, articles, strict=True))
    allowed = tuple(
        u and (a in story or not on_story) for u, a in zip(usable, articles, strict=True)
    )
    penalties = tuple(REPEAT_PENALTY if r and typed is not None else 0.0 for r in repeats)
    return FollowUpView(allowed, penalties)
