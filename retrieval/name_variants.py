"""The many ways news writes one name: "U.S.", "US", "United States", "American" (pure).

The composer quotes a passage only when it names most of the names the question asks
about (`retrieval/quotable.py`); names are compared by their first five letters
(`retrieval/grounding.py`), so "Korean" meets "Korea", but "Britain" never meets "UK" or
"British", nor "NYC" "New York City". Here each name of the question stands for a group of
keys, and a passage names it when it holds any of them:
- its stem, as before;
- abbreviations with or without their dots: a question's "US" meets a passage's "U.S."
  (a question's "U.S." stays the names "U" and "S", met by "U.S." only: read as one
  name, "U.S. Open" would leave half of "Serena Williams ... U.S. Open" to any
  Open; measured, that let a third unrelated answer through on AG News);
- initialisms of runs of capitalised words, either way: "New York City" holds "NYC",
  "International Monetary Fund" "IMF", "US Air Force" "USAF" ("of", "and", "the" inside a
  run are skipped, as initialisms skip them);
- the country a name or adjective belongs to (`retrieval/countries.py`): "Britain",
  "British", "Britons", "UK" and "United Kingdom" are one country.

Names are read only from a question in English (elsewhere common nouns are capitalised, or
names translated): English as `retrieval/question_language.py` judges it, which reads every
small word; the answerer judges it once per question and passes it (`english`) to this rule,
the reply check and the language hint. The reply check's cue words (`retrieval/grounding.py`)
miss questions such as "Was polio found in London sewage?" or "Will Tesla close its Berlin
factory?": their names went unchecked, and a Virginia sewage spill was quoted for London,
Ford's plants for Tesla's.
Measured (`newsbot eval realtimeqa DIR --answers`, and `--corpus`): replies holding the
answer 187 -> 189 of 399, off-corpus answers unchanged (50 demo, 31 AG News).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from retrieval.countries import COUNTRIES
from retrieval.coverage import TermStats
from retrieval.grounding import NAME_STEM, fold_name, names_named
from retrieval.question_language import looks_english

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_DOTTED = re.compile(r"(?<![\w.])((?:[A-Z]\.){2,})(?![\w])")
_CONNECTORS = frozenset({"of", "and", "for", "the", "de", "&"})
_RUN_GAP = re.compile(r"\s+(?:(?:of|and|for|the|de|&)\s+)?")
_MAX_INITIALISM = 5  # words
_MAX_ACRONYM = 6  # letters


def collapse_abbreviations(text: str) -> str:
    """ "U.S. troops" -> "US troops", "the E.U." -> "the EU": one word, as it is also
    written."""
    return _DOTTED.sub(lambda match: match.group(1).replace(".", ""), text)


def _base(word: str) -> str:
    """ "Britain's" -> "Britain"."""
    return re.split(r"['’]", word)[0]


def _is_acronym(word: str) -> bool:
    letters = word.replace("-", "")
    return 2 <= len(letters) <= _MAX_ACRONYM and letters.isupper() and letters.isalpha()


@lru_cache(maxsize=1)
def _country_pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    owner = {form: n for n, forms in enumerate(COUNTRIES) for form in forms}
    alternatives = "|".join(re.escape(form) for form in sorted(owner, key=len, reverse=True))
    # Case-sensitive: "US" the country, not "us"; a plural or possessive may follow.
    return re.compile(rf"(?<![\w-])({alternatives})(?:s|['’]s)?(?![\w-])"), owner


def _countries(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, key) of each country named in `text`."""
    pattern, owner = _country_pattern()
    for match in pattern.finditer(text):
        yield match.start(), match.end(), f"@{owner[match.group(1)]}"


def _runs(text: str) -> list[list[re.Match[str]]]:
    """Runs of capitalised words, joined by spaces or a connector ("Bank of America")."""
    runs: list[list[re.Match[str]]] = []
    current: list[re.Match[str]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if not word[0].isupper():
            if word.casefold() not in _CONNECTORS:
                current = []
            continue
        if current and not _RUN_GAP.fullmatch(text, current[-1].end(), match.start()):
            current = []
        if not current:
            current = []
            runs.append(current)
        current.append(match)
    return runs


def _initial(word: str) -> str:
    base = _base(word)
    return fold_name(base) if _is_acronym(base) else fold_name(base)[0]


def _initialisms(run: Sequence[re.Match[str]]) -> Iterator[tuple[int, int, str]]:
    """(first word, last word + 1, key) of the initialism of each part of a run."""
    for start in range(len(run)):
        for end in range(start + 2, min(start + _MAX_INITIALISM, len(run)) + 1):
            yield start, end, "^" + "".join(_initial(m.group()) for m in run[start:end])


def text_keys(text: str) -> frozenset[str]:
    """Every key under which `text` names something: word stems, acronyms ("^us"),
    initialisms of its capitalised runs ("^nyc"), countries ("@0")."""
    # The stems of the text as written too: a question's "U.S." is the names "U" and "S".
    keys = {fold_name(word)[:NAME_STEM] for word in _WORD.findall(text)}
    text = collapse_abbreviations(text)
    for match in _WORD.finditer(text):
        word = match.group()
        keys.add(fold_name(word)[:NAME_STEM])
        keys.add(fold_name(_base(word))[:NAME_STEM])
        if word[0].isupper() and len(_base(word)) <= _MAX_ACRONYM:
            keys.add("^" + fold_name(_base(word)))  # "NATO" is also written "Nato"
    for run in _runs(text):
        keys.update(key for _, _, key in _initialisms(run))
    keys.update(key for _, _, key in _countries(text))
    return frozenset(keys)


def asked_names(
    question: str,
    query: str,
    term_stats: TermStats | None = None,
    *,
    english: bool | None = None,
) -> frozenset[str]:
    """The stems of the names `query` (the searched text of `question`) asks about: its
    capitalised words past the first (`names_named`), when the question reads as English:
    `english`, as the caller judged it; else `looks_english` (`term_stats`: the corpus's,
    for its longer common words)."""
    if english is None:
        english = looks_english(question, term_stats)
    return names_named(question, query, english=english)


def name_groups(
    question: str,
    query: str,
    term_stats: TermStats | None = None,
    *,
    english: bool | None = None,
) -> tuple[frozenset[str], ...]:
    """One group of keys per name `query` asks about (`asked_names`); a text names it when
    it holds any key of the group."""
    names = asked_names(question, query, term_stats, english=english)
    if not names:
        return ()
    groups: dict[str, set[str]] = {name: {name} for name in names}
    countries = list(_countries(query))
    for run in _runs(query):
        spans = list(_initialisms(run))
        for position, match in enumerate(run):
            base = _base(match.group())
            group = groups.get(fold_name(base)[:NAME_STEM])
            if group is None:
                continue
            if _is_acronym(base):
                # "US" the country is not "us", nor "WHO" "who": an acronym is matched
                # as written, never by its lowercase stem.
                group.discard(fold_name(base)[:NAME_STEM])
                group.add("^" + fold_name(base))
            group.update(key for start, end, key in spans if start <= position < end)
            group.update(key for start, end, key in countries if start <= match.start() < end)
    return tuple(frozenset(group) for group in groups.values())


def names_most_of(text: str, groups: Sequence[frozenset[str]]) -> bool:
    """Whether `text` names at least half of the names `groups` stand for."""
    if not groups:
        return True
    keys = text_keys(text)
    return sum(1 for group in groups if group & keys) * 2 >= len(groups)
