"""Citation markers: find, verify, renumber, and the not-found sentinel."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.citations import (
    build_citations,
    find_citations,
    first_use_mapping,
    is_not_found_reply,
    renumber,
    strip_markers,
    strip_sentinel,
    verify_citations,
)
from retrieval.types import Passage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seoul [1].", (1,)),
        ("Seoul [2]. Tokyo [1].", (2, 1)),
        ("Both [1, 3].", (1, 3)),
        ("Both [1;3] and [ 2 ].", (1, 3, 2)),
        ("Run [1][2] then [2].", (1, 2)),
        ("Range [2-4].", (2, 3, 4)),
        ("In [2024] nothing.", ()),
        ("No markers at all.", ()),
    ],
)
def test_find_citations(text: str, expected: tuple[int, ...]) -> None:
    assert find_citations(text) == expected


def test_verify_drops_unknown_numbers() -> None:
    text, cited = verify_citations("Met Yoon [1]. Shells [7][2]. Rumour [9]. Both [1, 3].", 3)
    assert text == "Met Yoon [1]. Shells [2]. Rumour. Both [1][3]."
    assert cited == (1, 2, 3)


def test_verify_with_nothing_valid() -> None:
    text, cited = verify_citations("Claim [0]. Other [4].", 3)
    assert text == "Claim. Other."
    assert cited == ()


def test_renumber_by_first_use() -> None:
    text, cited = verify_citations("A [3]. B [1][3]. C [2, 3].", 3)
    mapping = first_use_mapping(cited)
    assert mapping == {3: 1, 1: 2, 2: 3}
    assert renumber(text, mapping) == "A [1]. B [2][1]. C [3][1]."


def test_renumber_drops_unmapped_numbers() -> None:
    assert renumber("A [1]. B [2].", {2: 1}) == "A. B [1]."


def test_build_citations_follow_first_use() -> None:
    passages = [
        Passage(i, i, f"T{i}", "S", datetime(2024, 1, 1, tzinfo=UTC), None, "x", 1.0)
        for i in (1, 2, 3)
    ]
    citations = build_citations(passages, (3, 1))
    assert [(c.number, c.passage.title) for c in citations] == [(1, "T3"), (2, "T1")]


@pytest.mark.parametrize(
    "reply",
    ["NOT_FOUND", " not_found ", "**NOT_FOUND**", "`NOT_FOUND`.", "NOT FOUND", '"NOT_FOUND"'],
)
def test_sentinel_replies_are_not_found(reply: str) -> None:
    assert is_not_found_reply(reply)


@pytest.mark.parametrize(
    "reply", ["Seoul hosted the talks [1].", "Not foundational, said the minister [1].", ""]
)
def test_answers_are_not_sentinels(reply: str) -> None:
    assert not is_not_found_reply(reply)


def test_strip_sentinel_and_markers() -> None:
    assert strip_sentinel("Seoul hosted it [1]. NOT_FOUND") == "Seoul hosted it [1]."
    assert strip_markers("He is in Seoul [1][2]. Talks [3, 4].") == "He is in Seoul. Talks."


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abc .,", max_size=8),
            st.integers(min_value=0, max_value=30).map(lambda n: f"[{n}]"),
            st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=3).map(
                lambda ns: "[" + ", ".join(map(str, ns)) + "]"
            ),
        ),
        max_size=12,
    ),
    st.integers(min_value=0, max_value=10),
)
def test_verify_keeps_only_given_sources(parts: list[str], n_sources: int) -> None:
    text, cited = verify_citations("".join(parts), n_sources)
    assert all(1 <= n <= n_sources for n in find_citations(text))
    assert find_citations(text) == cited
    renumbered = renumber(text, first_use_mapping(cited))
    assert find_citations(renumbered) == tuple(range(1, len(cited) + 1))
