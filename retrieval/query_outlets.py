"""Outlets a question names that no indexed article comes from ("according to Reuters").

A known outlet becomes a filter (`retrieval/query.py`); an unknown one cannot, and
searching for its name would only favour articles that mention it. It is cut from the
search text and said in one line before the answer, as a period with no articles is:
"No articles from Reuters are indexed; answering from all sources."

Only names that read as an outlet count: a well-known news organisation, or capitalised
words ending in a word outlets are named with ("The Korea Herald", "Daily Mirror").
"According to the WHO" or "according to Biden" name a source of a claim, not an outlet,
and a name that goes on is no outlet's ("the Independent Electoral Commission", "Times
Square", "CNN's Jake Tapper"). Outlets listed with "and" ("according to Sky News and the
BBC") are each read as one named alone (`outlet_lists`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from retrieval.dates import tidy_question

_WELL_KNOWN = frozenset(
    [
        "reuters", "ap", "afp", "dpa", "efe", "ansa", "upi", "bbc", "cnn", "bloomberg", "nyt",
        "wsj", "npr", "pbs", "cnbc", "msnbc", "politico", "axios", "xinhua", "tass",
        "kyodo", "yonhap", "nikkei", "haaretz", "bild", "le-monde", "associated-press",
        "agence-france-presse", "new-york-times", "wall-street-journal", "fox-news", "abc-news",
        "cbs-news", "nbc-news", "sky-news", "al-jazeera", "the-economist", "economist",
        "der-spiegel", "spiegel", "el-país", "el-pais", "times-of-india",
        "south-china-morning-post", "vox", "buzzfeed", "huffpost", "techcrunch", "forbes",
        "guardian", "telegraph", "independent", "times", "observer", "mirror",
    ]
)  # fmt: skip
_OUTLET_WORDS = frozenset(
    [
        "news", "times", "post", "journal", "herald", "tribune", "gazette", "daily", "press",
        "telegraph", "guardian", "observer", "chronicle", "wire", "mail", "express",
        "independent", "standard", "mirror", "magazine", "weekly", "radio", "tv", "television",
        "broadcasting", "insider", "reporter", "newswire", "newspaper",
    ]
)  # fmt: skip
_CUE = r"(?i:according\s+to|(?:as\s+)?reported\s+by|per)"
_NAME_WORD = r"[A-Z][\w'’&.-]*"
# Up to five capitalised words (with "of", "de" between): the longest outlet among their
# leading runs is the one named ("the BBC News website" -> "BBC News").
_NAMED = re.compile(
    rf"\b{_CUE}\s+(?P<the>(?i:the)\s+)?(?P<name>{_NAME_WORD}"
    rf"(?:\s+(?:of\s+|de\s+)?{_NAME_WORD}){{0,4}})"
)
_VERB_FORM = re.compile(
    rf"\b(?i:did|does|do|has|have|had)\s+(?P<the>(?i:the)\s+)?(?P<name>{_NAME_WORD}"
    rf"(?:\s+(?:of\s+)?{_NAME_WORD}){{0,3}})\s+(?i:say|report|write|cover)\b"
)


def is_outlet_name(name: str) -> bool:
    """Whether capitalised words read as a news outlet's name (pure)."""
    words = name.replace("’", "'").split()
    key = "-".join(words).casefold().removesuffix("'s")
    if key in _WELL_KNOWN or key.removeprefix("the-") in _WELL_KNOWN:
        return True
    return len(words) >= 2 and words[-1].casefold().removesuffix("'s") in _OUTLET_WORDS


# Capitalised words that may follow an outlet's name without being part of it.
_DATE_WORDS = frozenset(
    [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "june", "july", "august", "september",
        "october", "november", "december",
    ]
)  # fmt: skip


def _continues(word: str) -> bool:
    """Whether a word after an outlet's name makes it part of a longer name ("Times Square",
    "the Independent Electoral Commission", "CNN's Jake Tapper"): a word in title case, not a
    day or month ("Reuters Monday"); a shouted question ("PER REUTERS WHO WON") is no name."""
    bare = word.strip(".,;:!?\"'’()").replace("’", "'").removesuffix("'s")
    return re.match(r"[A-Z][a-z]", bare) is not None and bare.casefold() not in _DATE_WORDS


def name_goes_on(after: str, name: str = "") -> bool:
    """Whether the text right after a name makes the name part of a longer one (pure):
    "Independent| Electoral Commission", "Times| of India", "CNN|'s Jake Tapper". A `name`
    of its own ("CNN", not "the Times") followed by a capitalised word goes on only as a
    possessive: "according to CNN Trump said" names CNN, its comma left out."""
    if re.match(r"\s+(?:of|de)\s+[A-Z]", after):
        return True
    word = re.match(r"(['’]s)?\s+(\S+)", after)
    if word is None or not _continues(word[2]):
        return False
    possessive = word[1] is not None or name.replace("’", "'").endswith("'s")
    return possessive or not name or _generic(name)


def _generic(name: str) -> bool:
    """Whether a name is only words outlets are named with ("the Independent", "Times")."""
    words = [w.casefold() for w in name.replace("’", "'").removesuffix("'s").split()]
    return all(w in _OUTLET_WORDS or w == "the" for w in words)


def _run_words(written: str) -> list[str]:
    """The capitalised run's words up to the end of its clause ("Reuters. Then" ->
    "Reuters."); an abbreviation's dots ("U.S.") end nothing."""
    words = written.split()
    for n, word in enumerate(words):
        if word[-1] in ",;:!?" or (word.endswith(".") and "." not in word[:-1]):
            return words[: n + 1]
    return words


def _longest_outlet(written: str) -> str | None:
    """The longest leading run of the words that names an outlet, as written; never one
    followed by words that carry the name on ("the Times of Israel" is not "the Times",
    "Times Square" no Times, "CNN's Jake Tapper" a person, not CNN)."""
    words = _run_words(written)
    for n in range(len(words), 0, -1):
        candidate = " ".join(words[:n]).rstrip(".,;:!?'’").removesuffix("'s").removesuffix("’s")
        if n < len(words) and name_goes_on(" " + " ".join(words[n:]), " ".join(words[:n])):
            continue
        if words[n - 1].casefold() not in ("of", "de") and is_outlet_name(candidate):
            return candidate
    return None


# Spelled out or short, one outlet ("the NYT", "New York Times"); feeds name either.
_SHORT_NAMES = (
    ("new york times", "nyt"), ("wall street journal", "wsj"), ("associated press", "ap"),
    ("agence france presse", "afp"), ("agence france-presse", "afp"),
    ("south china morning post", "scmp"), ("british broadcasting corporation", "bbc"),
)  # fmt: skip
# Not part of what names an outlet: an article, a web address's parts ("reuters.com").
_NOT_NAME = frozenset(["the", "www", "com", "co", "org", "net", "uk"])


def _name_words(name: str) -> frozenset[str]:
    folded = " ".join(re.findall(r"[^\W_]+(?:-[^\W_]+)*", name.casefold()))
    for long, short in _SHORT_NAMES:
        folded = re.sub(rf"\b{re.escape(long)}\b", short, folded)
    return frozenset(folded.split()) - _NOT_NAME


def indexed_outlets(name: str, known: Sequence[str]) -> tuple[str, ...]:
    """The indexed outlets a name may mean (pure): the one spelled alike ("wikinews" ->
    "Wikinews"), else those whose words hold the name's or are held by it ("the BBC" and
    "BBC News", "reuters.com" and "Reuters", "the NYT" and "New York Times")."""
    words = _name_words(name)
    if not words:
        return ()
    # Alike also when written apart or together: "Wiki News" is "Wikinews".
    same = [k for k in known if _name_words(k) == words or _joined(k) == _joined(name)]
    if same:
        return tuple(same[:1])
    return tuple(k for k in known if (held := _name_words(k)) and _same_outlet(words, held))


def _joined(name: str) -> str:
    """A name's letters and digits run together, without a leading "the"."""
    words = name.casefold().split()
    return "".join(c for w in words[words[:1] == ["the"] :] for c in w if c.isalnum())


# Words that only qualify an outlet's name: "the Daily Telegraph" is the Telegraph.
_QUALIFIERS = frozenset(["daily", "online", "website", "web", "site", "uk", "us", "international"])


def _same_outlet(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether one name's words hold the other's ("BBC" and "BBC News"). A name of outlet
    words only ("Times", "Independent") is held by a longer one only with qualifiers: "the
    Financial Times" is not the Times."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not small <= large:
        return False
    return not small <= _OUTLET_WORDS or large - small <= _QUALIFIERS


def sort_outlets(
    names: Sequence[str], known: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the indexed outlets `names` mean, the names no indexed outlet answers to) (pure)."""
    indexed: list[str] = []
    unknown: list[str] = []
    for name in names:
        matches = indexed_outlets(name, known)
        if not matches and name not in unknown:
            unknown.append(name)
        indexed.extend(m for m in matches if m not in indexed)
    return tuple(indexed), tuple(unknown)


def unknown_outlets(text: str, known: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Outlets the question names as its source that are not among `known` (compared
    case-insensitively), and the question without the phrases naming them (pure). None
    when no outlet is known at all: the articles may then name none, not lack this one."""
    if not known:
        return (), text
    found: list[str] = []
    for pattern in (_NAMED, _VERB_FORM):
        for match in list(pattern.finditer(text)):
            name = _longest_outlet(match["name"])
            if name is None or indexed_outlets(name, known):
                continue
            written = f"the {name}" if match["the"] else name  # "the New York Times"
            if written not in found:
                found.append(written)
            lead = "name" if pattern is _VERB_FORM and not match["the"] else "the"
            start = match.start() if pattern is _NAMED else match.start(lead)
            end = match.start("name") + len(name)
            end += len(_POSSESSIVE.match(text, end)[0])  # "according to CNN's reporting"
            text = text[:start] + " " * (end - start) + text[end:]  # keeps later spans
    return tuple(found), tidy_question(text) if found else text


_POSSESSIVE = re.compile(r"(?:['’]s\b)?")
_ITEM = rf"(?:(?i:the)\s+)?{_NAME_WORD}(?:\s+(?:of\s+|de\s+)?{_NAME_WORD}){{0,4}}"
_AND = r"(?i:,?\s+(?:and|or|&)\s+)"


@lru_cache(maxsize=8)
def _list_patterns(known: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two or more outlets joined by "and" after a cue or in "did X and Y say"; an indexed
    outlet's name may be written in any case ("according to cnn and bbc")."""
    names = "|".join(
        r"\s+".join(re.escape(part) for part in k.split())
        for k in sorted(known, key=len, reverse=True)
    )
    item = rf"(?:(?i:(?:the\s+)?(?:{names})(?!\w))|{_ITEM})" if names else _ITEM
    items = rf"(?P<list>{item}(?:\s*,\s*{item})*{_AND}{item})"
    return (
        re.compile(rf"\b{_CUE}\s+{items}"),
        re.compile(
            rf"\b(?i:did|does|do|has|have|had)\s+{items}(?=\s+(?i:say|report|write|cover)\b)"
        ),
    )


def outlet_lists(text: str, known: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """Outlets a question names in a list ("according to Sky News and the BBC", "what did
    Reuters and AP report"), as written, and the question without the list (and its cue)
    (pure). Only lists of outlets count ("according to Reuters and Biden" is none), and
    none when no outlet is known at all, as `unknown_outlets` says nothing then."""
    if not known:
        return (), text
    found: list[str] = []
    cued, verbal = _list_patterns(tuple(sorted(set(known))))
    for pattern in (cued, verbal):
        for match in list(pattern.finditer(text)):
            items = re.split(rf"{_AND}|\s*,\s*", match["list"])
            names = [item.strip().removesuffix("'s").removesuffix("’s") for item in items]
            if name_goes_on(text[match.end() :]) or not all(
                indexed_outlets(n, known) or _longest_outlet(_bare(n)) == _bare(n) for n in names
            ):
                continue
            found.extend(n for n in names if n not in found)
            # "according to X and Y" goes whole; "did X and Y say" keeps its verb.
            start = match.start() if pattern is cued else match.start("list")
            text = text[:start] + " " * (match.end() - start) + text[match.end() :]
    return tuple(found), tidy_question(text) if found else text


def _bare(name: str) -> str:
    return re.sub(r"^(?i:the)\s+", "", name)


def unknown_outlets_note(unknown: Sequence[str], *, filtered: bool) -> str | None:
    """The line said before the answer (pure); `filtered` when the question also named an
    indexed outlet, whose articles the answer still comes from."""
    if not unknown:
        return None
    names = ", ".join(unknown[:-1]) + " or " + unknown[-1] if len(unknown) > 1 else unknown[0]
    if filtered:
        return f"No articles from {names} are indexed."
    return f"No articles from {names} are indexed; answering from all sources."
