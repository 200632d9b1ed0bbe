"""Citation markers in generated answers: find, verify, renumber (pure).

Markers are `[n]`, `[1, 2]`, `[1; 2]`, `[1-3]` and runs like `[1][2]`. Numbers of up to three
digits only, so a year in brackets ("[2024]") is never taken for a source. Rewritten markers
come out in one canonical form, one number per bracket: `[1][2]`. Other styles models use
("(source 1)", "[Source 1]", "[source: 1]", "【1】", "[^1]") are mapped to `[n]` first by
`normalise_markers`; a bare "(1)" is not, it is too often an ordinary number in brackets.

The prompt asks the model to answer exactly `NOT_FOUND_SENTINEL` when its sources do not
hold the answer; that works whatever the language of the question, and
`is_not_found_reply` recognises it (also wrapped in markdown, quotes or punctuation).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from retrieval.types import Citation, Passage

NOT_FOUND_SENTINEL = "NOT_FOUND"

_NUMBER_LIST = r"\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*"
# One run of adjacent markers, with the whitespace in front of it (dropped with the run).
_MARKER_RUN = re.compile(
    rf"(?<!\s)(?P<space>\s*)(?P<run>\[\s*{_NUMBER_LIST}\s*\](?:\s*\[\s*{_NUMBER_LIST}\s*\])*)"
)
_MARKER = re.compile(rf"\[\s*({_NUMBER_LIST})\s*\]")
# "not_found" in any case, "NOT FOUND" in capitals only: "Not foundational" is prose.
_SENTINEL = re.compile(r"(?:(?i:not_found)|NOT FOUND)\b")
# Other citation styles (`normalise_markers`). A number list with the word "source":
# "source 1", "Sources: 1 and 3", "source 1, source 4".
_SOURCE_WORD = r"(?:sources?\b\s*:?\s*)"
_SOURCE_LIST = rf"{_SOURCE_WORD}\d{{1,3}}(?:\s*(?:[,;–-]|\band\b|&)\s*{_SOURCE_WORD}?\d{{1,3}})*"
_MARKER_RUN_ONLY = rf"\[\s*{_NUMBER_LIST}\s*\](?:\s*\[\s*{_NUMBER_LIST}\s*\])*"
_OTHER_STYLES = re.compile(
    "|".join(
        [
            r"(?P<glued>(?<=\S))?(?:"  # a footnote glued to its word gets a space
            # The note after "†" is short ("source", "L1-L9"); unbounded, a run of "【1†"
            # with no "】" would be read in quadratic time.
            r"【\s*(?P<lenticular>\d{1,3})(?:\s*[†:][^】\n]{0,80})?】"
            r"|\[\^(?P<footnote>\d{1,3})\])",
            rf"\[\s*(?P<bracketed>{_SOURCE_LIST})\s*\]",
            rf"\(\s*(?P<parenthesised>{_SOURCE_LIST})\s*\)",
            rf"\(\s*{_SOURCE_WORD}?(?P<wrapped>{_MARKER_RUN_ONLY})\s*\)",
        ]
    ),
    re.IGNORECASE,
)
_LIST_JOINER = re.compile(r"\s*(?:\band\b|&)\s*", re.IGNORECASE)
_DECORATION = " \t\r\n*_`\"'“”‘’.!:;()-"
_MAX_RANGE = 20  # "[1-3]" expands; "[1-900]" is not a citation range


def _numbers(body: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body.strip()):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2:
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high <= low + _MAX_RANGE:
                numbers.extend(range(low, high + 1))
            else:
                numbers.extend((low, high))
        else:
            numbers.extend(int(bound) for bound in bounds)
    return numbers


def _run_numbers(run: str) -> list[int]:
    return [n for body in _MARKER.findall(run) for n in _numbers(body)]


def find_citations(text: str) -> tuple[int, ...]:
    """Every cited number, in order of first use, each once."""
    seen: dict[int, None] = {}
    for match in _MARKER_RUN.finditer(text):
        seen.update(dict.fromkeys(_run_numbers(match.group("run"))))
    return tuple(seen)


def _rewrite(text: str, convert: Callable[[int], int | None]) -> str:
    """Map every number of every marker run; runs left empty disappear with their space."""

    def replace(match: re.Match[str]) -> str:
        kept: dict[int, None] = {}
        for number in _run_numbers(match.group("run")):
            new = convert(number)
            if new is not None:
                kept[new] = None
        if not kept:
            return ""
        return match.group("space") + "".join(f"[{n}]" for n in kept)

    # The space in front of a dropped run goes with it, so "claim [7]." becomes "claim.".
    return _MARKER_RUN.sub(replace, text).strip()


def verify_citations(text: str, n_sources: int) -> tuple[str, tuple[int, ...]]:
    """Drop markers that point outside 1..n_sources; return the text and the valid numbers
    cited, in order of first use."""
    cleaned = _rewrite(text, lambda n: n if 1 <= n <= n_sources else None)
    return cleaned, find_citations(cleaned)


def _canonical(match: re.Match[str]) -> str:
    if match["wrapped"]:
        return match["wrapped"]
    body = next(
        match[name]
        for name in ("lenticular", "footnote", "bracketed", "parenthesised")
        if match[name]
    )
    body = _LIST_JOINER.sub(", ", re.sub(_SOURCE_WORD, "", body, flags=re.IGNORECASE))
    return f"{' ' if match['glued'] is not None else ''}[{body}]"


def normalise_markers(text: str) -> str:
    """Other citation styles models write, as `[n]` markers: "(source 1)", "[Source 1]",
    "[source: 1]", "(Sources 1 and 3)", "【1】", "【1†source】", "[^1]"; "([1])" and
    "(Source [1])" lose their round brackets."""
    return _OTHER_STYLES.sub(_canonical, text)


def first_use_mapping(cited: Sequence[int]) -> dict[int, int]:
    """{old number: new number} so that the reply's sources are 1..m in order of first use."""
    return {old: new for new, old in enumerate(dict.fromkeys(cited), start=1)}


def renumber(text: str, mapping: Mapping[int, int]) -> str:
    """Rewrite markers through `mapping`; numbers missing from it are dropped."""
    return _rewrite(text, mapping.get)


def build_citations(passages: Sequence[Passage], cited: Sequence[int]) -> tuple[Citation, ...]:
    """Citations 1..m for the (1-based) passage numbers `cited`, in that order."""
    return tuple(
        Citation(number=new, passage=passages[old - 1])
        for old, new in first_use_mapping(cited).items()
    )


def is_not_found_reply(text: str) -> bool:
    """True when the model answered with the not-found sentinel (alone or leading its reply)."""
    return _SENTINEL.match(text.strip(_DECORATION)) is not None


def strip_sentinel(text: str) -> str:
    """Remove stray sentinels from an otherwise real answer."""
    return re.sub(r"[ \t]{2,}", " ", _SENTINEL.sub("", text)).strip()


def strip_markers(text: str) -> str:
    """The text without any citation markers (for quoting past answers back to the model)."""
    return _rewrite(text, lambda _n: None)
