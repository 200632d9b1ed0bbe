"""Checking a generated answer's facts against the sources it cites (pure).

A model's sentence can carry a valid `[n]` and still state what source n never says ("the
market fell 20% [2]"). Paraphrase cannot be checked without a model, but the most checkable
facts can: numbers and names. A sentence is unsupported when one of its numbers, or most
of its names, occur neither in the passages it cites nor in the question. A sentence citing
nothing valid is checked against all the passages: it may state a fact, but only one the
sources hold. Unsupported sentences are dropped from the reply, never shown as cited.

Names are capitalised words other than a sentence's first word and stopwords ("..., The"),
compared by their first five letters, accents folded ("Korean" meets "Korea"), and only
when the question is in English (other languages capitalise nouns or translate names): as
the caller judged it once per question (`english`: `retrieval/question_language.py`, with
the corpus's statistics), else by its cue words (`_ENGLISH_CUES`);
numbers are digit runs without thousands separators ("1,000" meets "1000", "20%" meets
"20 percent"). A number written in words on one side and in digits on the other is not
recognised: such a sentence is dropped, the safe side.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.citations import find_citations, strip_markers
from retrieval.extractive import STOPWORDS

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# A sentence ends at . ! or ? followed by space (and possibly citation markers before the
# space: "claim. [1] Next" keeps "[1]" with "claim."), or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])((?:\s*\[[\d,;\s–-]+\])*)(\s+|\Z)|(\n+)")
NAME_STEM = 5


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words an English question nearly always has and other languages' questions do not:
# function words and contractions that are no common word of German, the language that
# capitalises its nouns ("was", "will", "do" are German or Portuguese words too; "of",
# "on", "at", "her" Dutch, Nordic or Slavic ones).
_ENGLISH_CUES = _wordset(
    """the what who whom whose when where why how which did does were are has have about
    tell is can could would should shall might must been any anything there their they
    this that these those with from happened happening
    what's who's where's when's how's why's that's there's it's let's i'm i've
    isn't aren't wasn't weren't doesn't didn't don't won't can't couldn't wouldn't
    shouldn't hasn't haven't hadn't"""
)
# A full stop that ends no sentence: initials and abbreviations ("U.S.", "Mr."), and a
# numbered-list marker at the start of a line ("1. ").
_NO_END = re.compile(
    r"(?:(?:^|[\s(\"'*])(?:[A-Za-z]\.)+|(?:^|[\s(\"'])(?:Mr|Mrs|Ms|Dr|St|Sen|Gov|Rep|Gen|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|No|vs|etc|Inc|Corp|Ltd|Co)\.|"
    r"(?:^|\n)[ \t]*\**\d{1,2}\.\**)$",
    re.MULTILINE,
)
_NO_END_REACH = 64  # characters before a full stop that `_NO_END` may need
_LIST_MARKER = re.compile(r"^\s*(?:[-*•+]\s+|\**\(?\d{1,2}[.)]\**\s+)")


@dataclass(frozen=True)
class GroundedText:
    text: str
    dropped: tuple[str, ...]  # the sentences removed, as the model wrote them


def _number_key(raw: str) -> str:
    """ "1,000" -> "1000", "05" -> "5" (a date's day), "2.50" stays "2.50"."""
    integer, dot, fraction = raw.replace(",", "").partition(".")
    return (integer.lstrip("0") or "0") + (dot + fraction if fraction else "")


def _numbers(text: str) -> set[str]:
    return {_number_key(match) for match in _NUMBER.findall(text)}


def fold_name(word: str) -> str:
    """Case and accents folded: "Séoul" meets "Seoul"."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stems(text: str) -> set[str]:
    return {fold_name(word)[:NAME_STEM] for word in _WORD.findall(text)}


def _in_english(question: str, english: bool | None = None) -> bool:
    """Whether the question (so, by the prompt's rule, the reply) reads as English:
    `english` when the caller judged it, else by the cue words (which miss "Was polio
    found ...?"). In other languages common nouns are capitalised (German) or names are
    translated ("États-Unis"), so names are not checked there; numbers still are."""
    if english is not None:
        return english
    words = _WORD.findall(question.casefold().replace("’", "'"))
    return not question or any(word in _ENGLISH_CUES for word in words)


def _names(sentence: str) -> list[str]:
    words = _WORD.findall(sentence)
    return [word for word in words[1:] if word[0].isupper() and word.casefold() not in STOPWORDS]


@dataclass(frozen=True)
class Facts:
    """The checkable facts of one text: its numbers and its word stems."""

    numbers: frozenset[str]
    stems: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Facts:
        return cls(frozenset(_numbers(text)), frozenset(_stems(text)))


@dataclass(frozen=True)
class SourceFacts:
    """The facts of the numbered sources and of the question, read once per answer: a
    streamed reply is checked again at every partial."""

    sources: tuple[Facts, ...]
    question: Facts
    check_names: bool

    @classmethod
    def of(
        cls, sources: Sequence[str], question: str = "", *, english: bool | None = None
    ) -> SourceFacts:
        """`english`: whether the question reads as English, as the caller judged it for the
        whole answer (`looks_english` with the corpus's statistics); names are checked only
        then. Without it, the cue words judge."""
        facts = tuple(Facts.of(text) for text in sources)
        return cls(facts, Facts.of(question), _in_english(question, english))


def _supported(sentence: str, known: Sequence[Facts], facts: SourceFacts) -> bool:
    claim = _LIST_MARKER.sub("", strip_markers(sentence))
    known = [*known, facts.question]
    if any(all(n not in f.numbers for f in known) for n in _numbers(claim)):
        return False
    names = _names(claim)
    if not names or not facts.check_names:
        return True
    keys = [fold_name(name)[:NAME_STEM] for name in names]
    missing = sum(1 for key in keys if all(key not in f.stems for f in known))
    return missing * 2 <= len(names)


def is_supported(sentence: str, sources: Sequence[str], question: str = "") -> bool:
    """Whether the sentence's numbers, and most of its names, occur in `sources` or the
    question (citation markers are not facts)."""
    facts = SourceFacts.of(sources, question)
    return _supported(sentence, facts.sources, facts)


def split_reply(text: str) -> list[tuple[str, str]]:
    """(sentence, separator after it) pairs whose concatenation is `text`."""
    parts: list[tuple[str, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group(3) is not None:  # a line break
            end, after = match.start(), match.group(3)
        else:
            end, after = match.end(1), match.group(2)
            # Only the words before the stop matter: a bounded look keeps this linear.
            tail = max(start, match.start() - _NO_END_REACH)
            if not match.group(1) and _NO_END.search(text, tail, match.start()):
                continue  # "U.S. officials", "1. First item": the sentence goes on
        if end > start:
            parts.append((text[start:end], after))
        elif parts:
            sentence, separator = parts[-1]
            parts[-1] = (sentence, separator + after)
        start = match.end()
    if start < len(text):
        parts.append((text[start:], ""))
    return parts


def drop_unsupported(
    text: str, passages: Sequence[str] | SourceFacts, question: str = ""
) -> GroundedText:
    """The reply without its unsupported sentences. `passages` are the texts numbered 1..n
    in the prompt (or their `SourceFacts`, read once); a sentence is checked against those
    it cites, else against all."""
    facts = passages if isinstance(passages, SourceFacts) else SourceFacts.of(passages, question)
    every = facts.sources
    kept: list[str] = []
    dropped: list[str] = []
    for sentence, separator in split_reply(text):
        cited = [n for n in find_citations(sentence) if 1 <= n <= len(every)]
        known = [every[n - 1] for n in cited] if cited else every
        if _supported(sentence, known, facts):
            kept.append(sentence + separator)
        else:
            dropped.append(sentence)
    return GroundedText("".join(kept).strip(), tuple(dropped))


_YEAR = re.compile(r"(?<![\d.,])(?:1[89]|20|21)\d\d(?!\d)(?![.,]\d)")


def years_named(question: str) -> frozenset[str]:
    """The years a question names ("the 2030 World Cup", "in 2008"): constraints on what
    an answer may stand on."""
    return frozenset(_YEAR.findall(question))


def mentions_a_year(text: str, published_year: int | None, years: frozenset[str]) -> bool:
    """Whether a source is about one of `years`: it names one, or was published in one."""
    if published_year is not None and str(published_year) in years:
        return True
    return bool(years & set(_YEAR.findall(text)))


# Capitalised, but a time, not a name: "on Thursday", "in May" (the C locale's English).
_CALENDAR = frozenset(
    name.casefold()[:NAME_STEM] for name in (*calendar.month_name[1:], *calendar.day_name)
)


def names_named(question: str, query: str, *, english: bool | None = None) -> frozenset[str]:
    """The stems of the names `query` (the searched text of `question`) holds: its
    capitalised words past the first, when the question is in English (`english`, when the
    caller has judged it; else by the reply check's cue words)."""
    if not _in_english(question, english):
        return frozenset()
    sentences = re.split(r"(?<=[.!?:;])\s+", query)
    # "Blinken's" names Blinken; "What's" (mid-sentence after a colon, say) names nothing.
    bases = (re.split(r"['’]", name)[0] for sentence in sentences for name in _names(sentence))
    stems = (fold_name(base)[:NAME_STEM] for base in bases if base.casefold() not in STOPWORDS)
    return frozenset(stem for stem in stems if stem not in _CALENDAR)


def names_most(text: str, names: frozenset[str]) -> bool:
    """Whether `text` names at least half of `names` (stems, as `names_named` gives them),
    the share the reply check asks of a generated sentence's names."""
    return len(names & _stems(text)) * 2 >= len(names)
