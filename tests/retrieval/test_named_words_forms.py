"""The anchors' naming rule: a word's regular inflections name it, and the whole word with a
suffix does; another word sharing its first letters does not (`named_words`)."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.alert_lexicon import anchor_words, index_words, topic_words, word_keys
from retrieval.named_words import text_keys, token_keys, word_key

CASES = [  # (topic, text, named)
    # the e a word in -e drops before -ing or -ed
    ("votes", "Voting began early.", True),
    ("hikes", "Hiking trails reopened.", True),
    ("rules", "The court's ruling stood.", True),
    ("store", "Storing grain is costly.", True),
    ("voting", "Two votes were cast.", True),
    ("rates", "TV ratings rose as the rats fled.", False),  # a plural -ing is a noun
    # a derived word that begins with the whole word names it
    ("inflation", "Inflationary pressure grew.", True),
    ("Iran protests", "Iranian protesters marched.", True),
    ("Korea", "Korean leaders met.", True),
    ("Ukraine", "Ukrainian forces advanced.", True),  # a final e gives way to a suffix
    ("economy", "Economic growth slowed.", True),  # and a final y
    ("finance", "The financial markets fell.", True),
    # another word sharing its first letters does not
    ("inflation", "NASA tested an inflatable heat shield.", False),
    ("elections", "Electronics makers cut prices of electric cars.", False),
    ("protests", "A law to protect proteins.", False),
    ("controls", "Contractors contributed.", False),
    ("missiles", "A mission to Mississippi.", False),
    ("Powerball", "Power was restored.", False),
    ("store", "A story of a storm.", False),  # a short word keeps its e
    ("apple", "The application was filed.", False),
    # plurals in -es after a sibilant
    ("viruses", "A new virus spread.", True),
    ("businesses", "Small business owners met.", True),
    ("taxes", "Income was taxed twice.", True),
    ("tax", "He took a taxi.", False),
    # unchanged: whole short words, -ies plurals, words in -ie
    ("war", "A warm day, a storm warning, a trip to Warsaw.", False),
    ("war", "Two wars went on.", True),
    ("racing", "The race went to Ferrari.", True),
    ("cities", "The city council met.", True),
    ("movies", "A new movie opened.", True),
    ("movies", "They kept moving.", False),
    ("July", "Julie Su was confirmed.", False),
    ("wine", "The team wins again.", False),
    ("aides", "Foreign aid arrived.", False),
]


@pytest.mark.parametrize(("topic", "text", "named"), CASES)
def test_an_article_names_a_topic_by_inflections_and_suffixes(
    topic: str, text: str, named: bool
) -> None:
    assert (set(topic_words(topic)) <= word_keys(text)) is named


@pytest.mark.parametrize(
    "word",
    [
        *("closing", "missiles", "apple", "wars", "cities", "companies", "us", "viruses"),
        *("movies", "rookies", "parties", "series", "julie", "july", "ukraine", "economy"),
        *("votes", "voting", "houses", "ratings", "inflation", "businesses", "taxes"),
    ],
)
def test_a_word_names_itself(word: str) -> None:
    assert word_key(word) in token_keys(word)
    assert word_key(word) in text_keys(word.upper())


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("vote", ("votes", "voted", "voting")),
        ("hike", ("hikes", "hiked", "hiking")),
        ("close", ("closes", "closed", "closing")),
        ("virus", ("viruses",)),
        ("tax", ("taxes", "taxed", "taxing")),
        ("rate", ("rates", "rated", "rating")),
    ],
)
def test_regular_inflections_name_each_other(word: str, forms: tuple[str, ...]) -> None:
    family = (word, *forms)
    for topic_word in family:
        for article_word in family:
            assert word_key(topic_word) in token_keys(article_word), (topic_word, article_word)


def test_a_word_sharing_a_beginning_does_not_spoil_an_anchor() -> None:
    """ "inflatable" spread over the background kept "infla" from anchoring "inflation":
    its articles were not the topic's nearest."""
    rng = np.random.default_rng(5)
    cosines = np.linspace(0.9, 0.0, 100)  # article i is the topic's i-th nearest
    texts = ["filler text" for _ in range(100)]
    for row in range(6):
        texts[row] += " inflation"
    for row in rng.choice(np.arange(10, 100), size=20, replace=False):
        texts[row] += " an inflatable boat"
    words = index_words(texts)
    assert anchor_words("inflation", cosines, words, min_precision=0.5) == {"inflation"}


def test_a_beginning_anchors_where_the_news_near_the_topic_writes_the_words_kin() -> None:
    """ "medicine" is written far from the topic, "medical" in its nearest articles: the
    anchor is the beginning they share (the whole word is tried first)."""
    cosines = np.linspace(0.9, 0.0, 100)
    texts = ["filler text" for _ in range(100)]
    for row in range(6):
        texts[row] += " medical staff"
    for row in (60, 80):
        texts[row] += " medicine"
    words = index_words(texts)
    assert anchor_words("medicine", cosines, words, min_precision=0.5) == {"medic"}


def test_a_word_whose_kin_the_news_writes_far_from_the_topic_is_no_anchor() -> None:
    """No article holds "medicines" whole, but "medical" is spread at random: the news does
    name its kin, so it is not a word the news never names."""
    rng = np.random.default_rng(7)
    cosines = np.linspace(0.9, 0.0, 100)
    texts = ["filler text" for _ in range(100)]
    for row in rng.choice(np.arange(10, 100), size=20, replace=False):
        texts[row] += " medical"
    words = index_words(texts)
    assert anchor_words("medicines", cosines, words, min_precision=0.5) == frozenset()
    assert anchor_words("Quuxley", cosines, words, min_precision=0.5) == {"quuxle"}
