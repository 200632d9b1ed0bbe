"""One rule for "the article names this topic word": the anchors' and the Why line's."""

from __future__ import annotations

import pytest

from retrieval.alert_lexicon import topic_words, word_keys
from retrieval.alert_reason import pick_reasons
from retrieval.named_words import text_keys, token_keys, word_key
from retrieval.topic_mentions import mentions

CASES = [  # (topic, text, named)
    ("Iran protests", "Iranian women marched; the protest grew.", True),
    ("war", "A warm day, a storm warning, a trip to Warsaw.", False),
    ("war", "Two wars went on.", True),
    ("taxes", "Income was taxed twice.", True),
    ("tax", "He took a taxi.", False),
    ("Disney store closing", "Disney Stores closed on Sunday.", True),
    ("cities", "The city council met.", True),
    ("movies", "A new movie opened.", True),  # a plural in -ies of a word in -ie
    ("rookies", "The rookie scored twice.", True),
    # a four-letter word in -e is not cut to a whole word that others name
    ("rates", "TV ratings rose as the rats fled.", False),
    ("rates", "The rate was raised; it was rated high.", True),
    ("wine", "The team wins again.", False),
    ("aides", "Foreign aid arrived.", False),
    ("taxes", "A tax on fuel.", True),  # the e of "taxes" is the plural's: still whole
    ("racing", "The race went to Ferrari.", True),  # an article word still names its stem
    # a name in -ie is not a word in -y: no false mention of the -y word
    ("July", "Julie Su was confirmed.", False),
    ("Eddy", "Eddie Murphy was back.", False),  # as in "Eddy current"
    ("Katy", "Katie Holmes spoke.", False),  # an anchor of "Katy Perry"
    ("city", "Citi raised its rates.", False),
    # an -ies plural is named by its singular in -y or in -ie, and by itself
    ("movies", "Two movies opened.", True),
    ("cities", "Three cities voted.", True),
    ("parties", "The party met.", True),
    ("rookies", "Rookies shone.", True),
    ("series", "A new series began.", True),
    ("Tories", "A Tory MP resigned.", True),
    ("movies", "They kept moving.", False),
]


@pytest.mark.parametrize(("topic", "text", "named"), CASES)
def test_the_why_line_and_the_anchors_agree(topic: str, text: str, named: bool) -> None:
    every_word = set(topic_words(topic)) <= word_keys(text)  # the anchors' guard
    said = mentions(topic, text)  # the Why line
    assert every_word is named
    assert bool(said) is named
    if named:
        assert " ".join(said).split() == topic.split()  # every word of it


@pytest.mark.parametrize(
    "word",
    [
        *("closing", "missiles", "apple", "wars", "cities", "companies", "us", "viruses"),
        *("movies", "rookies", "parties", "series", "spies", "julie", "july"),
    ],
)
def test_a_word_names_itself(word: str) -> None:
    assert word_key(word) in token_keys(word)
    assert word_key(word) in text_keys(word.upper())


def test_a_reason_from_the_body_when_the_passage_is_furniture_only() -> None:
    body = "Officials met on Monday. The volcano eruption forced thousands to leave."
    passages = ["Contributing: Maria Puente", body]
    terms = [frozenset({"volcano", "eruption"})]
    reasons = pick_reasons([(0, 0), (0, 1)], passages, terms, [], None, fallbacks=[body, body])
    assert reasons == ["The volcano eruption forced thousands to leave."] * 2
    assert pick_reasons([(0, 0)], passages, terms, [], None) == [""]  # as before


@pytest.mark.parametrize(
    ("word", "other"), [("Julie", "july"), ("Eddie", "eddy"), ("Katie", "katy")]
)
def test_a_word_in_ie_names_no_word_in_y(word: str, other: str) -> None:
    assert word_key(other) not in token_keys(word.casefold())
    assert word_key(other) not in text_keys(f"{word} spoke.")
