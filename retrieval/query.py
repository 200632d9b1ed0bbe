"""Understanding a question: what to search for, which filters apply, whether newest matters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from index.tokenize import tokenize
from retrieval.dates import split_date_phrases, tidy_question
from retrieval.outlet_names import site_names
from retrieval.query_outlets import (
    name_goes_on,
    outlet_lists,
    sort_outlets,
    unknown_outlets,
    unknown_outlets_note,
)
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
    # The question names no topic, only a time, an outlet or news in general ("What
    # happened yesterday?", "latest news", "what did CNN report?"): there is no text to
    # match, so the searcher lists the period's articles, else the newest.
    browse: bool = False
    # Outlets the question names that no indexed article comes from ("according to
    # Reuters"): no filter, but said before the answer (`unknown_sources_note`).
    unknown_sources: tuple[str, ...] = ()

    def unknown_sources_note(self) -> str | None:
        """ "No articles from Reuters are indexed; answering from all sources." or None."""
        return unknown_outlets_note(self.unknown_sources, filtered=bool(self.filters.sources))


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
    # `rest` is what the question asks besides its time and outlet ("" when nothing).
    # Outlets first: a known outlet's name outranks the date words inside it ("USA Today").
    listed, rest = outlet_lists(question, known_sources)  # "according to Sky News and the BBC"
    sources, rest = _outlets(rest, known_sources)
    unknown, rest = unknown_outlets(rest, known_sources)
    if listed:
        indexed, missing = sort_outlets(listed, known_sources)
        sources = tuple(dict.fromkeys((*indexed, *sources)))
        unknown = tuple(dict.fromkeys((*missing, *unknown)))
    date_range, rest = split_date_phrases(rest, now=now, timezone=timezone)
    recency = _RECENCY.search(rest) is not None
    if recency:
        rest = tidy_question(_RECENCY.sub(" ", rest))
    return QueryPlan(
        text=rest or question,
        filters=SearchFilters(sources=sources, as_of=as_of),
        recency=recency,
        period=date_range,
        browse=names_no_topic(rest, timed=date_range is not None or recency or bool(sources)),
        unknown_sources=unknown,
    )


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words a question about news in general is made of, besides stop words: words that ask
# for news (one is needed when no time or outlet is named: "what about him?" and "who
# said what?" ask for no news in general), and filler around them. Any other word is a
# topic. Forms are listed as the keyword tokenizer leaves them (case-folded, no 's).
_NEWS_CUES = _wordset(
    """news new newest latest recent recently lately breaking happen happens happened
    happening going occur occurs occurred up update updates updated headline headlines
    story stories event events development developments coverage report reports reported
    article articles digest recap summary briefing overview"""
)
_FILLER = _wordset(
    """tell give show list share brief summarise summarize summarised summarized me you
    please know need hear heard miss missed catch get got find let see check any anything
    something everything some all else here top main big biggest major important key
    interesting notable world current currently now today so far just go goes went say
    says said write writes wrote written cover covers covered"""
)


def names_no_topic(rest: str, *, timed: bool) -> bool:
    """Whether a question asks for news in general rather than about a topic (pure).

    `rest` is the question with its date phrases, outlets and recency words cut out;
    `timed` says whether it named any of those. True when no word of `rest` is left
    but stop words, numbers and words about news in general (`_NEWS_CUES`, `_FILLER`),
    and the question named a time or outlet or asked for news ("What's new?").
    """
    terms = tokenize(rest)
    # A number is no topic in "top 5 stories", but is one in "What happened on 9/11?".
    counted = "top" in terms or any(t in ("stories", "headlines") for t in terms)
    if any(
        term not in _NEWS_CUES and term not in _FILLER and not (term.isdigit() and counted)
        for term in terms
    ):
        return False
    return timed or any(term in _NEWS_CUES for term in terms)


def _outlets(text: str, known_sources: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Outlets the question names as a source, with every other indexed name of their sites
    (`site_names`: "news from CNN" covers "cnn.com" and "edition.cnn.com" too), and the
    question without those phrases."""
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
        text = tidy_question(text[:start] + " " + text[end:])
    return site_names(found, sources), text


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
            # "according to the Independent Electoral Commission", "CNN's Jake Tapper":
            # the outlet's name begins a longer one, or a person of it is the subject.
            if name_goes_on(text[match.end("name") :], written):
                continue
            if not weak or _looks_like_a_name(written, source):
                start, end = match.span() if cut_whole else match.span("who")
                if text.startswith(("'s", "’s"), end):  # "according to CNN's reporting"
                    end += 2
                return source, (start, end)
    return None


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _looks_like_a_name(written: str, source: str) -> bool:
    """Whether "in the week" names the outlet The Week: only when written with capitals,
    unless the outlet's name is no plain word ("CNN", "BBC News", "site-59")."""
    if any(not word.isalpha() or sum(ch.isupper() for ch in word) > 1 for word in source.split()):
        return True
    return any(ch.isupper() for ch in written)
