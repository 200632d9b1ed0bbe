"""Quotation marks in a sentence cut out of its article (pure): a quote spanning sentences
leaves one mark on its first and its last sentence, and quoted alone they read broken."""

from __future__ import annotations

# What a straight quote that opens follows (anything else, it closes: `5"`, `said."`).
_OPENS_AFTER = frozenset(" \t\n([{—–")
_QUOTE_ENDS = ".,!?;:…"  # a closing quotation mark follows one of these


def _unpaired(sentence: str, opening: str, closing: str) -> tuple[list[int], list[int]]:
    """Where the opening marks never closed and the closing marks never opened are, pairing
    left to right. A straight quote opens at the start or after a space or bracket."""
    opened: list[int] = []
    stray: list[int] = []
    for i, char in enumerate(sentence):
        if char not in (opening, closing):
            continue
        if char == opening and (opening != closing or i == 0 or sentence[i - 1] in _OPENS_AFTER):
            opened.append(i)
        elif opened:
            opened.pop()
        else:
            stray.append(i)
    return opened, stray


def balance_quotes(sentence: str) -> str:
    """The sentence with the other half of a quotation whose partner mark lies in a
    neighbouring sentence: a quote spanning sentences leaves `…this purpose," he said.` on
    its last one, and `"The army is here` on its first. Quoted alone, such a sentence reads
    broken; completed, it reads as the quote it is. Only a mark left unpaired counts (in
    `"We won," he said, "and` the first one has its partner), and a closing mark only after
    punctuation (`5" wide` is inches)."""
    for opening, closing in (('"', '"'), ("“", "”")):
        if opening not in sentence and closing not in sentence:
            continue
        body = sentence.strip()
        opened, stray = _unpaired(body, opening, closing)
        if stray and stray[0] > 0 and body[stray[0] - 1] in _QUOTE_ENDS:
            sentence = opening + body
        elif opened and opened[0] == 0:
            sentence = body + closing
    return sentence
