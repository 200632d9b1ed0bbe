"""The faster sentence splitter gives exactly the sentences the former one gave, on the
bundled sample articles and on random text built from the cases it decides on (titles,
abbreviations, initials, acronyms, quotes, decimals, ellipses, blank lines). The former
code is kept in `tests/index/reference_sentences.py`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.sentences import split_sentences
from tests.index.reference_sentences import split_sentences as old_split_sentences
from tests.index.test_keyword_equivalence import REAL

PIECES = [
    *[
        ".",
        ".",
        "!",
        "?",
        "…",
        "...",
        "..",
        "?!",
        '."',
        ".”",
        ".’",
        ".)",
        ".]",
        "'",
        '"',
        "“",
        "‘",
        "«",
        "(",
        "[",
        "”",
        "’",
        "»",
        ")",
        "]",
    ],
    *[
        "Mr",
        "Mr.",
        "mr.",
        "Dr.",
        "No.",
        "no.",
        "vs.",
        "v.",
        "pp.",
        "Gen.",
        "Inc.",
        "inc.",
        "etc.",
        "U.S.",
        "U.S",
        "ph.d.",
        "e.g.",
        "J.",
        "j.",
    ],
    *[
        "Sept.",
        "Jan.",
        "The",
        "the",
        "He",
        "But",
        "however",
        "And",
        "3.5",
        "11",
        "2024",
        "Apple",
        "said",
        "left",
        "moved",
    ],
    *[" ", " ", " ", "  ", "\n", "\n\n", "\n \t\n", "\t", "\xa0", "é", "É", "Ж", "ж"],
]


def test_same_sentences_on_sample_articles() -> None:
    for text in REAL:
        assert split_sentences(text) == old_split_sentences(text)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(PIECES), max_size=60).map("".join), st.text()))
def test_same_sentences_on_random_text(text: str) -> None:
    assert split_sentences(text) == old_split_sentences(text)
