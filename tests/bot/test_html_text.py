"""Splitting plain text under Telegram's limit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.html_text import escape, split_plain, truncate, visible_length


def _words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_piece() -> None:
    assert split_plain("  Hello there.  ", 100) == ["Hello there."]


def test_empty_text_gives_nothing() -> None:
    assert split_plain(" \n ", 100) == []


def test_prefers_paragraph_breaks() -> None:
    first = "A" * 30 + "."
    second = "B" * 30 + "."
    assert split_plain(f"{first}\n\n{second}", 40) == [first, second]


def test_then_sentence_ends_keeping_markers_with_their_sentence() -> None:
    text = "Prices rose sharply. [1] Markets fell after that. [2]"
    assert split_plain(text, 30) == ["Prices rose sharply. [1]", "Markets fell after that. [2]"]


def test_then_words() -> None:
    assert split_plain("one two three four five six", 10) == ["one two", "three four", "five six"]


def test_never_cuts_a_multi_number_marker() -> None:
    pieces = split_plain("word " * 3 + "[1, 2, 3] tail", 12)
    assert "[1, 2, 3]" in pieces


def test_overlong_word_is_cut_by_length() -> None:
    assert split_plain("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_surrogate_pairs_count_double_and_stay_whole() -> None:
    pieces = split_plain("😀" * 5, 4)
    assert pieces == ["😀😀", "😀😀", "😀"]
    assert all(visible_length(p) <= 4 for p in pieces)


def test_limit_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="limit"):
        split_plain("text", 1)


def test_escape_and_truncate() -> None:
    assert escape('<b> & "q"') == '&lt;b&gt; &amp; "q"'
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


_TOKENS = st.sampled_from([*"ab c.!?\n[1], <&>\"'😀é", "[2]", "[1, 3]", "word", "\n\n", ". "])
_TEXT = st.lists(_TOKENS, max_size=300).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, limit=st.integers(min_value=2, max_value=120))
def test_pieces_fit_and_lose_only_whitespace(text: str, limit: int) -> None:
    pieces = split_plain(text, limit)
    assert all(0 < visible_length(p) <= limit for p in pieces)
    assert all(p == p.strip() for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())
