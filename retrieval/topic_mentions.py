"""Which of a topic's words an article holds, as the user typed them (pure).

An alert says why it matched: "mentions North Korea, missiles" when the article holds those
words, nothing of the kind when it holds none (the match was by meaning only). Whether it
holds a word is the anchors' rule (`named_words`), so a Why never contradicts the lexical
guard: a short word only as itself, lightly stemmed ("wars" holds "war", "warm" does not),
a longer one by its first five letters ("missiles" holds "missile", "Iranian" holds
"Iran"), stop words aside. Topic words that stand together in the article
too are named together ("North Korea", "gas tax holiday"); the others one by one. A word
of a capitalised name typed ("North" of "North Korea") counts alone only where the article
writes it capitalised too: "north of the city" does not mention North Korea.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.tokenize import tokenize
from retrieval.named_words import token_keys, word_key

_TOPIC_WORD = re.compile(r"[^\s\"“”‘’()\[\],;:!?]+")


def held_keys(text: str) -> list[frozenset[str]]:
    """The keys each of a text's tokens names, in order (stop words dropped, as
    `tokenize` does)."""
    return [token_keys(token) for token in tokenize(text)]


def topic_words(topic: str) -> list[tuple[str, tuple[str, ...]]]:
    """The topic's words as typed, each with its keys (stop words left out)."""
    words = []
    for match in _TOPIC_WORD.finditer(topic):
        stems = tuple(word_key(token) for token in tokenize(match.group()))
        if stems:
            words.append((match.group().strip(".'’"), stems))
    return words


def topic_stems(topic: str) -> frozenset[str]:
    """Every key of the topic's words."""
    return frozenset(s for _, stems in topic_words(topic) for s in stems)


def mentions(topic: str, text: str) -> list[str]:
    """The topic's words `text` holds, as typed: runs of topic words that stand together
    in the text too joined by spaces ("North Korea"), each listed once, in topic order."""
    words = topic_words(topic)
    held = held_keys(text)
    held_set = frozenset().union(*held)
    found: list[str] = []
    start = 0
    while start < len(words):
        if not all(s in held_set for s in words[start][1]):
            start += 1
            continue
        end = start + 1
        while end < len(words) and _contains(held, _joined(words[start : end + 1])):
            end += 1
        if end == start + 1 and not _contains(held, words[start][1]):
            start += 1  # a word of two tokens ("U.S.-China") held only apart
            continue
        phrase = " ".join(word for word, _ in words[start:end])
        if end == start + 1 and _in_name(words, start) and not _capitalised_in(phrase, text):
            start += 1
            continue
        if phrase not in found:
            found.append(phrase)
        start = end
    return found


def _in_name(words: Sequence[tuple[str, tuple[str, ...]]], index: int) -> bool:
    """Whether the word at `index` is part of a run of two or more capitalised words."""

    def capital(i: int) -> bool:
        return 0 <= i < len(words) and words[i][0][:1].isupper()

    return capital(index) and (capital(index - 1) or capital(index + 1))


def _capitalised_in(word: str, text: str) -> bool:
    return re.search(rf"\b{re.escape(word[:4])}", text) is not None


def _joined(words: Sequence[tuple[str, tuple[str, ...]]]) -> tuple[str, ...]:
    return tuple(s for _, stems in words for s in stems)


def _contains(tokens: Sequence[frozenset[str]], run: tuple[str, ...]) -> bool:
    """Whether words naming the keys of `run` stand together, in order, in `tokens`."""
    width = len(run)
    return any(
        all(key in tokens[i + j] for j, key in enumerate(run))
        for i in range(len(tokens) - width + 1)
    )
