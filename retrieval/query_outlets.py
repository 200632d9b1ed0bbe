"""Outlets a question names that no indexed article comes from ("according to Reuters").

A known outlet becomes a filter (`retrieval/query.py`); an unknown one cannot, and
searching for its name would only favour articles that mention it. It is cut from the
search text and said in one line before the answer, as a period with no articles is:
"No articles from Reuters are indexed; answering from all sources."

Only names that read as an outlet count: a well-known news organisation, or capitalised
words ending in a word outlets are named with ("The Korea Herald", "Daily Mirror").
"According to the WHO" or "according to Biden" name a source of a claim, not an outlet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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


def _longest_outlet(written: str) -> str | None:
    """The longest leading run of the words that names an outlet, as written; never one cut
    before "of" ("the Times of Israel" is not "the Times")."""
    words = written.split()
    for n in range(len(words), 0, -1):
        if n < len(words) and words[n].casefold() in ("of", "de"):
            continue
        candidate = " ".join(words[:n]).rstrip(".,'’").removesuffix("'s").removesuffix("’s")
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


def _is_indexed(name: str, known: Sequence[str]) -> bool:
    """Whether an indexed outlet may be the one named: one's words hold the other's ("the
    BBC" and "BBC News", "Reuters" and "reuters.com", "the NYT" and "New York Times")."""
    words = _name_words(name)
    return bool(words) and any(
        (held := _name_words(k)) and (words <= held or held <= words) for k in known
    )


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
            if name is None or _is_indexed(name, known):
                continue
            written = f"the {name}" if match["the"] else name  # "the New York Times"
            if written not in found:
                found.append(written)
            lead = "name" if pattern is _VERB_FORM and not match["the"] else "the"
            start = match.start() if pattern is _NAMED else match.start(lead)
            end = match.start("name") + len(name)
            text = text[:start] + " " * (end - start) + text[end:]  # keeps later spans
    return tuple(found), tidy_question(text) if found else text


def unknown_outlets_note(unknown: Sequence[str], *, filtered: bool) -> str | None:
    """The line said before the answer (pure); `filtered` when the question also named an
    indexed outlet, whose articles the answer still comes from."""
    if not unknown:
        return None
    names = ", ".join(unknown[:-1]) + " or " + unknown[-1] if len(unknown) > 1 else unknown[0]
    if filtered:
        return f"No articles from {names} are indexed."
    return f"No articles from {names} are indexed; answering from all sources."
