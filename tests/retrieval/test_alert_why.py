"""An alert's reason is the article's own words about the topic, and its "Why" says what
matched. Sentences are from the QA's real alerts (RealTime QA articles, 2021-2022)."""

from __future__ import annotations

import pytest

from retrieval.alert_reason import candidate_sentences, pick_reasons, shown_reason
from retrieval.page_furniture import clean_sentence, is_furniture
from retrieval.topic_mentions import mentions

FURNITURE = [
    "Contributing: Maria Puente",
    "'We' includes The Week and other Future Publishing Limited brands as detailed here.",
    "Get CNN Health's weekly newsletter Sign up here to get The Results Are In with Dr. "
    "Sanjay Gupta every Tuesday from the CNN Health team.",
    "For more exclusive news and takes on Afghanistan and the day's biggest news, please "
    "subscribe to USA TODAY.",
    "👉 Catch up on the latest news from Afghanistan.",
    "Medora Lee is a money, markets, and personal finance reporter at USA TODAY.",
    "This story has been updated with additional information.",
    "Editor’s Note: A version of this story appeared in CNN’s Meanwhile in China newsletter, "
    "a three-times-a-week update exploring what you need to know about the country’s rise.",
    "Rising prices:Are we stuck with blistering inflation?",
    "JUST WATCHED OB-GYN explains the far-reaching effects of Roe ruling Replay More Videos ...",
    "Video Ad Feedback John Kerry: Climate should not be about conflict with China 02:48 - "
    "Source: CNN THIS JUST IN Russian troops leave Ukraine’s Kherson region",
    "😲 Stressed about the midterms?",
    "We will use the information you have shared for carefully considered and specific "
    "purposes, where we believe we have a legitimate case to do so.",
    "If you wish to object to the use of your data in this way, please tick here.",
]
NEWS = [
    "Every time the Supreme Court hands down crucial opinions, tens of thousands of people "
    "follow along at the same virtual place: SCOTUSblog.",
    "Experts have questioned how much gas tax holidays really help drivers.",
    '"There is no good time to leave Afghanistan.',
    "Support for the bill grew after the vote, officials said.",
    "Those missiles are capable of hitting targets in South Korea.",
    "“We sternly warn against North Korea’s repeated provocations,” the military said.",
    "US FDA approves the first vaccine for RSV in older adults.",
    "iPhone sales rose 9% in the quarter, Apple said.",
]


@pytest.mark.parametrize("sentence", FURNITURE)
def test_page_furniture_is_told_apart(sentence: str) -> None:
    assert is_furniture(clean_sentence(sentence))


@pytest.mark.parametrize("sentence", NEWS)
def test_news_sentences_are_kept(sentence: str) -> None:
    assert clean_sentence(sentence) == sentence
    assert not is_furniture(sentence)


def test_what_is_glued_in_front_of_a_sentence_is_cut() -> None:
    assert clean_sentence(
        "Clodagh Kilcoyne/Reuters About 7.7 million people have fled Ukraine."
    ) == ("About 7.7 million people have fled Ukraine.")
    assert clean_sentence("TODAY’S QUOTE “We have a direct threat,” Biden said.") == (
        "“We have a direct threat,” Biden said."
    )
    assert clean_sentence(
        "Sign up here Disney Store closings September 2021 The following stores close."
    ).startswith("Disney Store closings")


# The end of the Brad Pitt article the QA's "Madison Cawthorn primary" alerts quoted.
PITT_END = (
    "According to Holly Davis, a trial lawyer and founding partner of Austin divorce firm "
    "Kirker Davis LLP, the custody case will likely start over with a new judge.\n\n"
    "Contributing: Maria Puente"
)
AFGHANISTAN = (
    "This article is free. For more exclusive news and takes on Afghanistan and the day's "
    "biggest news, please subscribe to USA TODAY.\n\nWASHINGTON — A week after Afghanistan "
    "swiftly fell to the Taliban, the U.S. ramped up its effort to evacuate Americans."
)


def test_the_reason_is_never_furniture_with_or_without_topic_words() -> None:
    reasons = pick_reasons(
        [(0, 0), (1, 1)],
        [PITT_END, AFGHANISTAN],
        [frozenset({"madison", "cawthorn", "primary"}), frozenset({"afghanistan"})],
        [],
    )
    assert reasons[0].startswith("According to Holly Davis")
    assert reasons[1].startswith("WASHINGTON — A week after Afghanistan")
    assert candidate_sentences("Contributing: Maria Puente") == []


def test_a_stored_furniture_reason_is_replaced_from_the_body() -> None:
    shown = shown_reason("Contributing: Maria Puente", "custody case", PITT_END)
    assert shown.startswith("According to Holly Davis")
    assert shown_reason("Experts have questioned it all week.", "x", "") == (
        "Experts have questioned it all week."
    )
    assert shown_reason("Contributing: Maria Puente", "x", "Contributing: Maria Puente") == ""


def test_mentions_names_the_topic_words_the_article_holds() -> None:
    text = "Kim’s statement on North Korea’s missile program came after a test."
    assert mentions("North Korea missiles", text) == ["North Korea missiles"]
    assert mentions("North Korea missiles", "Missiles hit Kyiv. Korea said") == [
        "Korea",
        "missiles",
    ]
    # "north" as a direction is no mention of North Korea
    assert mentions("North Korea", "Troops moved north of the city.") == []
    assert mentions("gas tax holiday", "A federal gas-tax holiday was proposed.") == [
        "gas tax holiday"
    ]
    assert mentions("Disney store closing", "Disney Stores closed on Sunday.") == [
        "Disney store closing"
    ]
    assert mentions("Madison Cawthorn primary", "The PGA Tour will return.") == []
    assert mentions("Biden election fraud claims", "Biden proposed a gas tax holiday.") == ["Biden"]
