"""Understanding a question: what to search for, which filters apply, whether newest matters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from retrieval.dates import date_range_from_question, tidy_question
from retrieval.types import DateRange, SearchFilters

# "latest", "most recent", "last news": rank newer articles higher instead of filtering.
_RECENCY = re.compile(
    r"\b(?:latest|newest|most\s+recent(?:ly)?|recent(?:ly)?|lately|last\s+news|breaking\s+news)\b",
    re.IGNORECASE,
)
# Cues that always name an outlet ("according to the week") and cues that also read as plain
# English ("in the week", "from time to time"): the weak ones need the name capitalised.
_STRONG_CUES = r"according\s+to|reported\s+by|as\s+reported\s+by|per"
_WEAK_CUES = r"from|in|on|by|at"
_VERBS = r"say|said|says|report|reported|reports|write|wrote|written|writes|cover|covered"


@dataclass(frozen=True)
class QueryPlan:
    """What a search needs from a question: the text to match, its filters, recency intent,
    and the period its date phrases name ("this week", "on Monday").

    `period` is the time the question is about, not a filter: news of an event is
    published after it, and a quiz about "this week" may lean on an article from the
    Sunday before; the searcher favours the period rather than hiding everything else.
    """

    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    recency: bool = False
    period: DateRange | None = None


def understand(
    question: str,
    *,
    now: datetime,
    timezone: str = "UTC",
    known_sources: Sequence[str] = (),
    as_of: datetime | None = None,
) -> QueryPlan:
    """Turn a standalone question into a plan: period, outlet, recency, search text.

    `now` and `timezone` are the asker's, for relative dates; `known_sources` are the outlets
    in the index (matched case-insensitively); `as_of` hides anything published later.
    """
    date_range, text = date_range_from_question(question, now=now, timezone=timezone)
    sources, text = _outlets(text, known_sources)
    recency = _RECENCY.search(text) is not None
    if recency:
        text = tidy_question(_RECENCY.sub(" ", text)) or text
    return QueryPlan(
        text=text,
        filters=SearchFilters(sources=sources, as_of=as_of),
        recency=recency,
        period=date_range,
    )


def _outlets(text: str, known_sources: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Outlets the question names as a source, and the question without those phrases."""
    sources = tuple(sorted({s.strip() for s in known_sources if s and s.strip()}))
    if not sources:
        return (), text
    canonical, patterns = _outlet_patterns(sources)
    found: list[str] = []
    for _ in range(len(patterns)):  # a question names an outlet or two, not more
        hit = _first_outlet(text, canonical, patterns)
        if hit is None:
            break
        source, (start, end) = hit
        if source not in found:
            found.append(source)
        text = tidy_question(text[:start] + " " + text[end:]) or text
    return tuple(found), text


_Pattern = tuple[re.Pattern[str], bool, bool]  # (pattern, weak cue, cut the whole cue)


@lru_cache(maxsize=8)
def _outlet_patterns(sources: tuple[str, ...]) -> tuple[dict[str, str], tuple[_Pattern, ...]]:
    """One regex per cue over all outlet names (compiled once per set of sources)."""
    canonical = {_key(source): source for source in sources}
    # Longest first: "BBC News" wins over "BBC" at the same place.
    names = "|".join(
        r"\s+".join(re.escape(part) for part in source.split())
        for source in sorted(sources, key=len, reverse=True)
    )
    name = rf"(?P<name>{names})"
    flags = re.IGNORECASE
    return canonical, (
        (re.compile(rf"\b(?:{_STRONG_CUES})\s+(?:the\s+)?{name}(?!\w)", flags), False, True),
        (re.compile(rf"\b(?:{_WEAK_CUES})\s+(?:the\s+)?{name}(?!\w)", flags), True, True),
        # With a verb keep the verb: "What did CNN say" -> "What did say".
        (re.compile(rf"\b(?:did|does|do|has|have|had)\s+(?P<who>(?:the\s+)?{name})"
                    rf"\s+(?:{_VERBS})\b", flags), True, False),
        (re.compile(rf"(?<!\w)(?P<who>(?:the\s+)?{name})\s+(?:{_VERBS})\b", flags), True, False),
    )  # fmt: skip


def _first_outlet(
    text: str, canonical: dict[str, str], patterns: tuple[_Pattern, ...]
) -> tuple[str, tuple[int, int]] | None:
    """The first outlet named by the strongest cue, and the span to cut from the text."""
    for pattern, weak, cut_whole in patterns:
        for match in pattern.finditer(text):
            written = match.group("name")
            source = canonical[_key(written)]
            if not weak or _looks_like_a_name(written, source):
                return source, match.span() if cut_whole else match.span("who")
    return None


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _looks_like_a_name(written: str, source: str) -> bool:
    """Whether "in the week" names the outlet The Week: only when written with capitals,
    unless the outlet's name is no plain word ("CNN", "BBC News", "site-59")."""
    if any(not word.isalpha() or sum(ch.isupper() for ch in word) > 1 for word in source.split()):
        return True
    return any(ch.isupper() for ch in written)
