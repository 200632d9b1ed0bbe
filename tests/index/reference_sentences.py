"""Sentence splitting as it was before the position-based speed-up (kept verbatim as the
reference `tests/index/test_sentences_equivalence.py` checks the new one against)."""

from __future__ import annotations

import re


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Always followed by a name or a number: never the end of a sentence.
_TITLES = _wordset(
    """mr mrs ms messrs mme mlle dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep
    rev hon pres supt insp det fr sr jr st mt ft no nos vs v fig op vol pp art sec ch"""
)
_LOWERCASE_TITLES = frozenset({"vs", "v", "pp"})
# Often inside a sentence, sometimes at its end: split only before a sentence opener.
_AMBIGUOUS = _wordset(
    """inc corp ltd co bros plc llc etc al approx est dept univ assn ave blvd rd hwy jan feb
    mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun a.m
    p.m u.s u.k u.n e.u u.s.a d.c n.y l.a e.g i.e ph.d"""
)
# Words that commonly open a news sentence; after an ambiguous period they signal a new one.
_OPENERS = _wordset(
    """the a an he she it they we i you this that these those there his her its their our but
    and or so yet however meanwhile still also then now in on at after before when while as
    if since although though during despite according officials police authorities some many
    most several both all one two three mr mrs ms dr president"""
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_CANDIDATE = re.compile(r"(?P<end>[.!?…]+)(?P<close>[\"'”’»)\]]*)(?P<space>\s+)")
_LEADING_PUNCT = "\"'“‘«(["


def split_sentences(text: str) -> list[str]:
    """Split `text` into sentences with whitespace collapsed; empty pieces are dropped."""
    sentences: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(paragraph):
        rest = paragraph[match.end() :]
        if not rest:
            break
        if _is_boundary(paragraph[start : match.start()], match.group("end"), rest):
            pieces.append(paragraph[start : match.end("close")].strip())
            start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        pieces.append(tail)
    return [piece for piece in pieces if piece]


def _is_boundary(before: str, end: str, rest: str) -> bool:
    """Decide whether the terminator `end` after the text `before` closes a sentence."""
    first = rest.lstrip(_LEADING_PUNCT)[:1]
    if not first or first.islower():
        return False
    if end != ".":
        return True  # !, ?, …, "..." followed by a capital: a new sentence
    word = before.rsplit(" ", 1)[-1].lstrip(_LEADING_PUNCT)
    key = word.lower()
    if key in _TITLES and (word[:1].isupper() or key in _LOWERCASE_TITLES):
        return False  # "Mr. Yoon", "No. 3", "vs. Italy" (but "he said no. Then" splits)
    next_word = _first_word(rest)
    ambiguous = (
        key in _AMBIGUOUS
        or (len(word) == 1 and word.isalpha() and word.isupper())  # an initial: "J."
        or _is_dotted_acronym(word)
    )
    if not ambiguous:
        return True
    if first.isdigit():
        return False  # "Sept. 11", "No. 3"
    return next_word.lower() in _OPENERS


def _first_word(rest: str) -> str:
    match = re.match(r"[\"'“‘«(\[]*([^\s\"'”’»,;:.!?)\]]+)", rest)
    return match.group(1) if match else ""


def _is_dotted_acronym(word: str) -> bool:
    """ "U.S", "D.C", "Ph.D" (the final period is the candidate itself)."""
    parts = word.split(".")
    return len(parts) > 1 and all(0 < len(part) <= 2 and part.isalpha() for part in parts)
