"""A question restricted to an outlet the index has no article from is not answered
silently from all outlets: the plan says which outlets are missing, in one line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.query import understand
from retrieval.query_outlets import is_outlet_name

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
KNOWN = ["CNN", "Test Herald", "site-59"]
ALL_SOURCES = "; answering from all sources."


@pytest.mark.parametrize(
    ("question", "text", "note"),
    [
        (
            "What happened to the port strike according to Reuters?",
            "What happened to the port strike?",
            "No articles from Reuters are indexed" + ALL_SOURCES,
        ),
        (
            "According to the New York Times, who won the vote?",
            "who won the vote?",
            "No articles from the New York Times are indexed" + ALL_SOURCES,
        ),
        (
            "How many died, per AP?",
            "How many died?",
            "No articles from AP are indexed" + ALL_SOURCES,
        ),
        (
            "What does the Times of India report on the floods?",
            "What does report on the floods?",
            "No articles from the Times of India are indexed" + ALL_SOURCES,
        ),
        # An indexed outlet still filters; the missing one is only said.
        (
            "What did CNN say about the strike, according to the Korea Herald?",
            "What did say about the strike?",
            "No articles from the Korea Herald are indexed.",
        ),
    ],
)
def test_an_outlet_with_no_articles_is_said_and_cut_from_the_search(
    question: str, text: str, note: str
) -> None:
    plan = understand(question, now=NOW, known_sources=KNOWN)
    assert plan.text == text
    assert plan.unknown_sources_note() == note


@pytest.mark.parametrize(
    "question",
    [
        "According to the WHO, how many people died?",  # a source of a claim, no outlet
        "according to police, how many died?",
        "According to Vice President Harris, is the deal done?",
        "According to the Test Herald, what happened?",  # indexed: a filter, no note
    ],
)
def test_no_note_for_other_sources_of_a_claim_or_indexed_outlets(question: str) -> None:
    plan = understand(question, now=NOW, known_sources=KNOWN)
    assert plan.unknown_sources == ()
    assert plan.unknown_sources_note() is None


def test_an_index_that_names_no_outlet_says_nothing_about_outlets() -> None:
    plan = understand("What happened, according to Reuters?", now=NOW)
    assert plan.unknown_sources_note() is None


@pytest.mark.parametrize(
    ("name", "outlet"),
    [
        ("Reuters", True),
        ("Korea Herald", True),
        ("Associated Press", True),
        ("Guardian", True),
        ("WHO", False),
        ("State Department", False),
        ("Herald", False),  # one plain word is no outlet's whole name
    ],
)
def test_outlet_names(name: str, outlet: bool) -> None:
    assert is_outlet_name(name) is outlet


@pytest.mark.parametrize(
    ("question", "known"),
    [
        # An indexed outlet spelled another way is no missing outlet ...
        ("What is happening in Sudan, per Reuters?", ["Reuters UK"]),
        ("What is happening in Sudan, per Reuters?", ["reuters.com"]),
        ("According to the BBC, what happened in Iran?", ["BBC News"]),
        ("What did the New York Times report about Iran?", ["NYT > World News"]),
        ("How many died, per AP?", ["Associated Press"]),
        # ... and "the Times of Israel" is not "the Times".
        ("Is the Jerusalem Post closing, per the Times of Israel?", ["CNN"]),
    ],
)
def test_no_note_for_an_outlet_indexed_under_another_spelling(
    question: str, known: list[str]
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    assert plan.unknown_sources == ()
    assert plan.text == question
