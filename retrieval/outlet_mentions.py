"""Where a question names outlets as its source, and the span naming them (pure).

After a cue ("according to", "per", "reported by") or right before a reporting verb
("Reuters reported", "did the BBC say"), one name or a list ("Sky News and the BBC",
"cnn, bbc or reuters"). Whether words name an outlet is `retrieval/outlet_names.py`'s
call; what to do with the names is `retrieval/query_outlets.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from retrieval.dates import split_date_phrases
from retrieval.outlet_names import (
    is_generic,
    is_well_known,
    longest_outlet,
    name_goes_on,
    spelled_alike,
)

_CUE = re.compile(r"\b(?i:according\s+to|(?:as\s+)?reported\s+by|per)\s+")
# The same verbs as the indexed-name pass in `retrieval/query.py` reads.
_VERB = re.compile(
    r"\b(?i:say|said|says|report|reported|reports|write|wrote|written|writes|cover|covered)\b"
)
_THE = re.compile(r"(?i:the)\s+")
_NAME_WORD = r"[A-Z][\w'’&.-]*"
_RUN = re.compile(rf"{_NAME_WORD}(?:\s+(?:of\s+|de\s+)?{_NAME_WORD}){{0,4}}")
_LOWER_RUN = re.compile(r"[^\W\d_A-Z][\w'’&.-]*(?:\s+[^\W\d_][\w'’&.-]*){0,3}")
_POSSESSIVE = re.compile(r"['’]s\b|(?<=[sS])['’](?!\w)")
_SEP = re.compile(r"\s*,\s*(?:(?i:and|or)\s+)?|\s+(?:(?i:and|or)|&)\s+")
_JOINED_AFTER = re.compile(r"(?:\s*,\s*(?:(?i:and|or)\s+)?|\s+(?:(?i:and|or)|&)\s+)$")
_THE_BEFORE = re.compile(r"\b(?i:the)\s+$")
_SENTENCE_END = re.compile(r"[!?;]|(?<!\b[A-Z])\.(?=\s)")  # not "U.S."
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # only whether a phrase names a time matters


@dataclass(frozen=True)
class NamedOutlet:
    """One outlet's name in the question."""

    written: str  # "the BBC", "cnn", "the Sunday Times"
    start: int
    end: int  # after its possessive, if any
    exact: bool  # spelled as an indexed outlet is: the indexed-name pass reads it alone
    listed_only: bool  # lower case and not indexed: an outlet only in a list


@dataclass(frozen=True)
class Mention:
    """Outlets named together, and the span of the question that names them."""

    outlets: tuple[NamedOutlet, ...]
    start: int
    end: int
    alone: bool  # one outlet, in no list and joined to nothing


@dataclass(frozen=True)
class _Known:
    names: tuple[str, ...]
    spellings: frozenset[str]  # indexed names, case-folded, spaces single
    pattern: re.Pattern[str] | None  # any indexed name, in any case, "the" before it or not


@lru_cache(maxsize=8)
def _known(names: tuple[str, ...]) -> _Known:
    spelled = "|".join(
        r"\s+".join(re.escape(part) for part in name.split())
        for name in sorted(names, key=len, reverse=True)
    )
    pattern = re.compile(rf"(?i:(?:the\s+)?(?P<name>{spelled}))(?!\w)") if spelled else None
    return _Known(names, frozenset(_fold(n) for n in names), pattern)


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


def _read_item(text: str, pos: int, known: _Known) -> NamedOutlet | None:
    """The outlet named at `pos` ("the BBC", "Sky News", "cnn"), read as far as it goes."""
    the = _THE.match(text, pos)
    at = the.end() if the else pos
    options: list[tuple[int, str, bool, bool]] = []  # (end, written, exact, listed only)
    indexed = known.pattern.match(text, pos) if known.pattern else None
    if indexed and not name_goes_on(text[indexed.end() :], indexed["name"]):
        options.append((indexed.end(), " ".join(indexed[0].split()), True, False))
    run = _RUN.match(text, at)
    name = longest_outlet(run[0]) if run else None
    if name is not None:
        end = _end_of(text, at, name)
        if not name_goes_on(text[end:], text[at:end]):
            exact = _fold(name) in known.spellings
            options.append((end, f"the {name}" if the else name, exact, False))
    lower = _lower_name(text, at, known)
    if lower is not None:
        end, name, alike = lower
        options.append((end, f"the {name}" if the else name, False, not alike))
    if not options:
        return None
    end, written, exact, listed_only = max(options, key=lambda option: option[0])
    possessive = _POSSESSIVE.match(text, end)
    end += len(possessive[0]) if possessive else 0
    return NamedOutlet(written, pos, end, exact, listed_only)


def _end_of(text: str, at: int, name: str) -> int:
    """Where `name`, written from `at` with any spacing, ends."""
    match = re.compile(r"\s+".join(re.escape(w) for w in name.split())).match(text, at)
    return at + len(name) if match is None else match.end()


def _lower_name(text: str, at: int, known: _Known) -> tuple[int, str, bool] | None:
    """(end, name, spelled like an indexed outlet) of a lower-case outlet's name at `at`
    ("reuters", "sky news", "wiki news"), which ends the name: "the independent electoral
    commission" and "cnn's jake tapper" cannot be told from an outlet, so are none."""
    run = _LOWER_RUN.match(text, at)
    if run is None:
        return None
    words = run[0].split()
    for n in range(len(words), 0, -1):
        if any(word.endswith(".") for word in words[: n - 1]):
            continue  # a sentence ended inside the run
        name = " ".join(words[:n]).rstrip(".,;:!?")
        alike = bool(spelled_alike(name, known.names))
        if not name.islower() or not (alike or is_well_known(name)):
            continue
        end = _end_of(text, at, name)
        after = text[end:]
        if _POSSESSIVE.match(after):
            return None
        word = re.match(r"\s+([^\W\d_]+)", after)
        goes_on = word is not None and not re.fullmatch(r"(?i:and|or)", word[1])
        if goes_on and not _VERB.fullmatch(word[1]) and is_generic(name):
            return None
        return end, name, alike
    return None


def _read_list(text: str, pos: int, known: _Known) -> tuple[list[NamedOutlet], int | None]:
    """The outlets listed from `pos` ("Reuters, the BBC and AP"), and where a lone one's
    "and" ends when what it is joined to is no outlet ("CNN and| police"), else None."""
    items: list[NamedOutlet] = []
    seps: list[re.Match[str]] = []
    while (item := _read_item(text, pos, known)) is not None:
        items.append(item)
        sep = _SEP.match(text, item.end)
        if sep is None:
            break
        seps.append(sep)
        pos = sep.end()
    joined = [bool(re.search(r"(?i:\band\b|\bor\b|&)", sep[0])) for sep in seps]
    # A list ends at its last name joined with "and"/"or" ("Reuters, the BBC and AP").
    last = max((n for n in range(1, len(items)) if joined[n - 1]), default=0)
    if last:
        return items[: last + 1], None
    if not items or items[0].listed_only:
        return [], None
    return items[:1], seps[0].end() if seps and joined[0] else None


def _cued(text: str, known: _Known) -> list[Mention]:
    """Outlets after "according to", "per", "reported by"; the cue goes with them."""
    mentions = []
    for cue in _CUE.finditer(text):
        items, joined_end = _read_list(text, cue.end(), known)
        if items and joined_end is not None:  # "according to CNN and| police"
            mentions.append(Mention(tuple(items), items[0].start, joined_end, alone=False))
        elif items:
            alone = len(items) == 1
            mentions.append(Mention(tuple(items), cue.start(), items[-1].end, alone))
    return mentions


def _subjects(text: str, known: _Known) -> list[Mention]:
    """Outlets right before a reporting verb ("the Sunday Times reported", "what did
    Reuters and AP say"); the verb stays."""
    mentions = []
    for verb in _VERB.finditer(text):
        ends = list(_SENTENCE_END.finditer(text, 0, verb.start()))
        clause = ends[-1].end() if ends else 0
        starts = [m.start() for m in re.finditer(r"(?<!\S)\S", text[clause : verb.start()])]
        for start in starts[-12:]:  # the leftmost mention is the longest list
            if _THE_BEFORE.search(text, clause, clause + start):
                continue  # "the WSJ" is read from its "the"
            mention = _subject_at(text, clause, clause + start, verb.start(), known)
            if mention is not None:
                mentions.append(mention)
                break
    return mentions


def _subject_at(text: str, clause: int, start: int, verb: int, known: _Known) -> Mention | None:
    """The outlets named from `start` up to the verb at `verb`, if they reach it. Joined to
    another name ("CNN and Fox covered", "the WHO and Reuters said"), an outlet is read
    only when that name is in lower case ("CNN and police said"): "Fox" may be an outlet,
    whose list is left alone, unless the outlet is spelled as indexed ("Fox and| CNN said")
    and the indexed-name pass would cut it anyway."""
    items, joined_end = _read_list(text, start, known)
    if not items or re.search(r"['’]s?$", text[: items[-1].end]):
        return None  # "the Post's report" is a noun
    if joined_end is None and text[items[-1].end : verb].strip():
        return None
    if joined_end is not None and not re.fullmatch(r"[^\W\d_A-Z][^,;:]*", text[joined_end:verb]):
        return None
    first = items[0].written.casefold()
    if not first.startswith("the ") and _names_a_time(text, start, items[-1].end):
        return None
    end = items[-1].end if joined_end is None else joined_end
    alone = len(items) == 1 and joined_end is None
    # "police and| Reuters said": the outlet goes with its "and", the rest stays.
    joiner = _JOINED_AFTER.search(text, clause, start)
    if alone and joiner is not None:
        before = text[clause : joiner.start()].split()
        if not before or not (before[-1][:1].islower() or items[0].exact):
            return None
        start, alone = joiner.start(), False
    return Mention(tuple(items), start, end, alone)


def _names_a_time(text: str, start: int, end: int) -> bool:
    """Whether a date phrase takes words of the name: "Yesterday| Times", "On Sunday| Times"
    (no name "Yesterday Times"), but not "the Sunday Times" or "Sunday Times reported"."""
    _, rest = split_date_phrases(text, now=_ANY_TIME)  # whole: "USA Today" needs its context
    return " ".join(text[start:end].split()) not in " ".join(rest.split())


def find_mentions(text: str, known: Sequence[str]) -> list[Mention]:
    """Every place the question names outlets as its source, in order, none overlapping."""
    if not known:
        return []
    names = _known(tuple(sorted({k.strip() for k in known if k.strip()})))
    kept: list[Mention] = []
    for mention in sorted([*_cued(text, names), *_subjects(text, names)], key=lambda r: r.start):
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept
