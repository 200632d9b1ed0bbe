"""Topic text parsing and the +word / -word tests (pure)."""

from __future__ import annotations

import pytest

from index.embedding import HashingEmbedder
from index.errors import BadInputError
from index.tokenize import tokenize
from retrieval.topic_embedding import embed_topic, topic_parts
from retrieval.topics import (
    MAX_PHRASE_WORDS,
    MAX_TOPIC_CHARS,
    TopicQuery,
    contains_term,
    parse_topic,
    term_tokens,
    words_allow,
)


def test_phrase_with_required_and_excluded_words() -> None:
    assert parse_topic("chip export controls +china -stocks") == TopicQuery(
        phrase="chip export controls", must_words=("china",), exclude_words=("stocks",)
    )


def test_signed_words_anywhere_and_case_folded_once() -> None:
    query = parse_topic("+China  missile   -Stocks tests +CHINA")
    assert query == TopicQuery("missile tests", ("china",), ("stocks",))


def test_quoted_multi_word_terms() -> None:
    query = parse_topic('missile tests +"South Korea" -"stock market"')
    assert query.must_words == ("south korea",)
    assert query.exclude_words == ("stock market",)
    assert parse_topic('"North Korea" missiles').phrase == "North Korea missiles"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Tell me a topic"),
        ("   ", "Tell me a topic"),
        ("+china -stocks", "not only +/- words"),
        ("x" * (MAX_TOPIC_CHARS + 1), "too long"),
        (" ".join(["word"] * (MAX_PHRASE_WORDS + 1)), "too many words"),
        ('chips +"south korea', "quote is not closed"),
        ("chips + china", "right after '+'"),
        ("chips +the", "too common"),
        ("chips +china -china", "both required and excluded"),
        ("chips " + " ".join(f"+w{i}" for i in range(11)), "at most 10"),
    ],
)
def test_bad_topics_get_a_user_safe_message(text: str, fragment: str) -> None:
    with pytest.raises(BadInputError) as caught:
        parse_topic(text)
    assert fragment in caught.value.user_message
    assert "Traceback" not in caught.value.user_message


def test_terms_match_case_insensitively_on_tokens() -> None:
    tokens = tokenize("China's chip makers face new U.S. export rules in South Korea.")
    token_set = frozenset(tokens)
    assert contains_term(tokens, token_set, term_tokens("china"))
    assert contains_term(tokens, token_set, term_tokens("CHINA"))
    assert contains_term(tokens, token_set, term_tokens("south korea"))
    assert contains_term(tokens, token_set, term_tokens("u.s."))
    assert not contains_term(tokens, token_set, term_tokens("korea south"))
    assert not contains_term(tokens, token_set, term_tokens("chin"))  # whole tokens only
    assert not contains_term(tokens, token_set, ())


def test_words_allow_needs_all_required_and_no_excluded() -> None:
    tokens = tokenize("Oil prices rose in Asia; stocks fell in Tokyo.")
    token_set = frozenset(tokens)
    oil, asia, stocks = term_tokens("oil"), term_tokens("asia"), term_tokens("stocks")
    europe = term_tokens("europe")
    assert words_allow(tokens, token_set, [oil, asia], [europe])
    assert not words_allow(tokens, token_set, [oil, europe], [])
    assert not words_allow(tokens, token_set, [oil], [stocks])
    assert words_allow(tokens, token_set, [], [])


def test_topic_parts_split_lists_and_conjunctions() -> None:
    assert topic_parts("chip export controls") == ["chip export controls"]
    assert topic_parts("science and technology") == [
        "science and technology",
        "science",
        "technology",
    ]
    assert topic_parts("movies, music, TV and celebrities")[1:] == [
        "movies",
        "music",
        "TV",
        "celebrities",
    ]
    assert topic_parts("science and technology", "lists") == ["science and technology"]
    assert topic_parts("a, b", "none") == ["a, b"]
    with pytest.raises(ValueError, match="split"):
        topic_parts("x", "words")


def test_embed_topic_gives_one_unit_row_per_part() -> None:
    embedder = HashingEmbedder(dimension=32)
    vectors = embed_topic("oil and gas", embedder)
    assert vectors.shape == (3, 32)
    assert vectors.dtype.name == "float32"
    assert abs(float((vectors**2).sum(axis=1).max()) - 1.0) < 1e-5
