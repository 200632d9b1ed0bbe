"""A word's regular inflections (pure): "announce", "announces", "announced", "announcing".

News writes a question's word in another form ("Why is Ford closing plants?"; "two more
plants will close in 2008"). The composer's rare-word weights read the family's frequency
(`retrieval/coverage.py`) and its sentence scores credit any form (`retrieval/extractive.py`).
"""

from __future__ import annotations

_SUFFIXES = ("ing", "ed", "es", "s", "e")
_ENDINGS = ("", "s", "es", "ed", "ing", "e", "d")
MIN_BASE = 4  # letters left after a suffix: "sing" is no "s" + "ing"


def word_forms(term: str) -> list[str]:
    """`term` and its regular inflections ("announce": announces, announced, announcing…),
    by stripping one suffix and adding each back; a term with digits stays alone."""
    base = term
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= MIN_BASE:
            base = term[: -len(suffix)]
            break
    if not base.isalpha():
        return [term]
    return list(dict.fromkeys([term, *(base + ending for ending in _ENDINGS)]))
