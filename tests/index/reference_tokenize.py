"""The keyword tokenizer as it was before the run-splitting speed-up (kept verbatim as
the reference `tests/index/test_keyword_equivalence.py` checks the new one against)."""

from __future__ import annotations

import re
import unicodedata

# Function words and question words: frequent in questions, useless for matching.
_STOP_TEXT = """
a about an and are as at be been being but by can could did do does for from had has have he
her hers him his how i if in into is it its me my no nor not of on or our she so such than that
the their theirs them then there these they this those to was we were what when where which
while who whom why will with would you your
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_TOKEN = re.compile(
    r"""
    [^\W\d_](?:\.[^\W\d_])+\.?          # dotted acronyms: U.S., e.g.
    | \d+(?:[.,]\d+)+                   # numbers with separators: 1,000  3.5  2024.06
    | [\w\u0900-\u0dff]+(?:['’][\w\u0900-\u0dff]+)*  # words, digits (Indic vowel
                                                   # signs are not \w but belong in words)
    """,
    re.VERBOSE,
)
_DIACRITICS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def tokenize(text: str) -> list[str]:
    """Index terms of `text`, in order (repeats kept, so callers can count them)."""
    folded = text.casefold() if text.isascii() else _fold(text)
    terms = []
    # "_" is a \w character but no word joiner: make it a separator.
    for token in _TOKEN.findall(folded.replace("_", " ")):
        if not token.isalnum():  # most tokens are plain words: skip the slow path
            token = _normalise(token)
        if token and token not in STOP_WORDS:
            terms.append(token)
    return terms


def _fold(text: str) -> str:
    """Case-fold, decompose (NFKD: also ligatures, full-width forms), drop diacritics.

    Folding and decomposing twice, as Unicode's compatibility caseless match does, makes
    the result stable. Only the combining-diacritics blocks are dropped: marks in other
    scripts (Devanagari vowel signs, for instance) carry meaning there and stay.
    """
    for _ in range(2):
        text = unicodedata.normalize("NFKD", text.casefold())
    return _DIACRITICS.sub("", text)


def _normalise(token: str) -> str:
    if token[0].isdigit():
        return token.replace(",", "") if _THOUSANDS.fullmatch(token) else token
    if "." in token:  # an acronym
        return token.replace(".", "")
    if token.endswith(("'s", "’s")):
        token = token[:-2]
    return token.replace("'", "").replace("’", "")
