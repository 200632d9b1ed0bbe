"""Pure helpers for Telegram HTML text: escaping, measuring and splitting.

Telegram counts message length on the visible text (after entity parsing) in UTF-16 code
units, so lengths here are measured the same way. Splitting works on plain text before it
is turned into HTML, which keeps every cut outside tags and entities by construction.

`escape` is where every text of ours becomes Telegram HTML, so it is also where what
Telegram would link by itself is defused (`bot/unlink.py`, same length): the only links in
our messages are the `<a href>` we write.
"""

from __future__ import annotations

import html
import re

from bot.unlink import unlink

MAX_MESSAGE_LENGTH = 4096

# A citation marker such as [3] or [1, 4]: never cut in two.
CITATION_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Whitespace after a sentence end (optionally closed by quotes or brackets), unless a
# citation marker follows: "growth. [1]" keeps its marker with the sentence.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…][\"'”’)\]])\s+(?!\[\d)|(?<=[.!?…])\s+(?!\[\d)")
_WORD_BREAK = re.compile(r"\s+")


def escape(text: str) -> str:
    """Text as Telegram HTML (`<`, `>`, `&` escaped; quotes matter only in attributes) that
    Telegram links nowhere: hosts, e-mails, @mentions and schemes defused (`unlink`)."""
    return html.escape(unlink(text), quote=False)


def escape_code(text: str) -> str:
    """Text for inside `<code>`/`<pre>`, escaped but kept as is: Telegram links nothing
    there, and a command to copy ("/addsource https://…") must stay usable."""
    return html.escape(text, quote=False)


def escape_attribute(value: str) -> str:
    """Escape a value for use inside a double-quoted HTML attribute."""
    return html.escape(value, quote=True)


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the visible text."""
    return len(text.encode("utf-16-le")) // 2


def split_plain(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split plain text into stripped pieces of at most `limit` visible characters.

    Cuts at paragraph breaks, then sentence ends, then whitespace, and only as a last resort
    inside a word (never inside a citation marker unless the marker alone is too long). Only
    the whitespace at a cut is dropped; no other text is lost.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    text = text.strip()
    if not text:
        return []
    return [piece for piece in _split(text, limit, 0) if piece]


_LEVELS = (_PARAGRAPH_BREAK, _SENTENCE_BREAK, _WORD_BREAK)


def _split(text: str, limit: int, level: int) -> list[str]:
    if visible_length(text) <= limit:
        return [text.strip()]
    if level == len(_LEVELS):
        return [piece.strip() for piece in _hard_split(text, limit) if piece.strip()]
    units, separators = _cut(text, _LEVELS[level])
    pieces: list[str] = []
    current = ""
    for index, unit in enumerate(units):
        separator = separators[index - 1] if index else ""
        candidate = current + separator + unit if current else unit
        if visible_length(candidate.strip()) <= limit:
            current = candidate
            continue
        if current.strip():
            pieces.append(current.strip())
        if visible_length(unit.strip()) <= limit:
            current = unit
        else:
            parts = _split(unit, limit, level + 1)
            pieces.extend(parts[:-1])
            current = parts[-1] if parts else ""
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _cut(text: str, pattern: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """Units between matches of `pattern` and the separators between them."""
    units: list[str] = []
    separators: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        if match.start() == 0 or match.end() == len(text) or match.start() < start:
            continue
        if _inside_marker(text, match.start()):
            continue
        units.append(text[start : match.start()])
        separators.append(match.group())
        start = match.end()
    units.append(text[start:])
    return units, separators


def _inside_marker(text: str, position: int) -> bool:
    line_start = text.rfind("\n", 0, position) + 1
    for marker in CITATION_MARKER.finditer(text, line_start, position + 40):
        if marker.start() < position < marker.end():
            return True
    return False


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut a single overlong word by length, keeping surrogate pairs whole."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        size = visible_length(char)
        if used + size > limit:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += size
    if current:
        pieces.append("".join(current))
    return pieces


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten plain text to at most `limit` visible characters, ending with `ellipsis`."""
    if visible_length(text) <= limit:
        return text
    budget = limit - visible_length(ellipsis)
    out: list[str] = []
    used = 0
    for char in text:
        size = visible_length(char)
        if used + size > budget:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ellipsis
