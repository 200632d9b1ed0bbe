"""The keyword tokenizer shared by BM25 and anything else that matches words.

Unicode word tokens, case-folded, accents stripped, possessive 's dropped, English stop
words dropped, numbers kept ("1,000" -> "1000", "3.5" stays one token, "U.S." -> "us").

Speed (BM25 indexing tokenizes every chunk): a token never crosses a character that is
neither a word character nor a joiner (. , ' ’), so the text is cut into maximal runs of
those first, a run without joiners is one token, and only runs holding a joiner go
through the token regex: the same terms as the regex over the whole text, in half the
time (the 743 sample chunks: ~65 -> ~33 ms). ASCII text (also most text once accents are
folded) is cut by `str.translate` and `split`, ~4x faster than a regex pass.
"""

from __future__ import annotations

import functools
import re
import string
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

# Runs of the only characters a token can hold: word characters and joiners.
_RUN = re.compile(r"[\w\u0900-\u0dff.,'’]+")
# ASCII runs: lower-cased (ASCII's casefold), [a-z0-9.,'] kept, all else a space ("_"
# too: a \w character but no word joiner).
_ASCII_KEEP = frozenset(string.ascii_lowercase + string.digits + ".,'")
_ASCII_RUNS = str.maketrans(
    {chr(c): chr(c).lower() if chr(c).lower() in _ASCII_KEEP else " " for c in range(128)}
)
# From the first joiner of an ASCII run to its end.
_ASCII_JOINED = re.compile(r"[.,'][^ ]*")
# Common non-ASCII separators left after folding (dashes, quotes, currency, joiners):
# as spaces they change no token and leave most folded news text pure ASCII.
_SEPARATORS = ("—", "–", "“", "”", "‘", "«", "»", "€", "£", "°", "•", "\u200d")


def tokenize(text: str) -> list[str]:
    """Index terms of `text`, in order (repeats kept, so callers can count them)."""
    if text.isascii():
        return _tokenize_ascii(text)
    folded = _fold(text)
    if not folded.isascii():
        for separator in _SEPARATORS:
            if separator in folded:
                folded = folded.replace(separator, " ")
        if not folded.isascii():
            return _tokenize_runs(folded)
    return _tokenize_ascii(folded)


def _tokenize_ascii(text: str) -> list[str]:
    spaced = text.translate(_ASCII_RUNS)
    # A joiner before a space joins nothing: as a space it spares its run the regex (an
    # acronym loses its final period, which its term drops anyway: "u.s." -> "us").
    for joiner in (". ", ", ", "' "):
        spaced = spaced.replace(joiner, "  ")
    spaced = spaced.rstrip(".,'")
    parts: list[str] = []  # `spaced` with every run holding a joiner replaced by its terms
    done = 0
    for match in _ASCII_JOINED.finditer(spaced):
        start = spaced.rfind(" ", 0, match.start()) + 1
        parts += (spaced[done:start], _run_terms(spaced[start : match.end()]))
        done = match.end()
    if parts:
        parts.append(spaced[done:])
        spaced = "".join(parts)
    return [term for term in spaced.split() if term not in STOP_WORDS]


def _tokenize_runs(folded: str) -> list[str]:
    terms: list[str] = []
    # "_" is a \w character but no word joiner: make it a separator.
    for run in _RUN.findall(folded.replace("_", " ")):
        if run.isalnum():  # no joiner: one token
            if run not in STOP_WORDS:
                terms.append(run)
        else:
            terms += _run_terms(run).split()
    return terms


@functools.lru_cache(maxsize=1 << 14)  # runs repeat: "it's", "u.s", "1,000"...
def _run_terms(run: str) -> str:
    """The terms of one run (its tokens, normalised, stop words dropped), space separated."""
    terms = []
    for token in _TOKEN.findall(run):
        if not token.isalnum():  # most tokens are plain words: skip the slow path
            token = _normalise(token)
        if token and token not in STOP_WORDS:
            terms.append(token)
    return " ".join(terms)


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
