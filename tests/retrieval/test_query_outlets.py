"""A question restricted to an outlet the index has no article from is not answered
silently from all outlets: the plan says which outlets are missing, in one line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.query import understand
from retrieval.query_outlets import indexed_outlets, is_outlet_name

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


# ---- institutions, people and lists (seventh QA pass) ------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "How many votes did Ruto get according to the Independent Electoral and Boundaries"
        " Commission?",
        "What did the Independent Police Complaints Commission say about the shooting?",
        "Which university is first according to the Times Higher Education ranking?",
        "According to Times Square witnesses, what happened?",
        # A person of an outlet is the subject, not the outlet.
        "What did CNN's Jake Tapper say?",
        "According to the Guardian's Owen Jones, who won?",
    ],
)
@pytest.mark.parametrize(
    "known", [KNOWN, ["Independent", "Times", "CNN", "Guardian"], ["BBC News"]]
)
def test_a_well_known_name_beginning_a_longer_one_is_no_outlet(
    question: str, known: list[str]
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    assert plan.unknown_sources_note() is None
    assert plan.filters.sources == ()
    assert plan.text == question


@pytest.mark.parametrize(
    ("question", "text", "note"),
    [
        # A day after the name is no part of it; a possessive outlet is cut whole.
        (
            "What happened in Sudan according to Reuters Monday?",
            "What happened in Sudan Monday?",
            "No articles from Reuters are indexed" + ALL_SOURCES,
        ),
        (
            "According to the Guardian's reporting, who won?",
            "reporting, who won?",
            "No articles from the Guardian are indexed" + ALL_SOURCES,
        ),
        (
            "According to Sky News and the BBC, who won?",
            "who won?",
            "No articles from Sky News or the BBC are indexed" + ALL_SOURCES,
        ),
        (
            "According to Reuters, the BBC and AP, who won?",
            "who won?",
            "No articles from Reuters, the BBC or AP are indexed" + ALL_SOURCES,
        ),
        (
            "What did Reuters and the BBC report about Iran?",
            "What did report about Iran?",
            "No articles from Reuters or the BBC are indexed" + ALL_SOURCES,
        ),
    ],
)
def test_outlets_named_with_days_possessives_and_lists(question: str, text: str, note: str) -> None:
    plan = understand(question, now=NOW, known_sources=KNOWN)
    assert plan.text == text
    assert plan.unknown_sources_note() == note


def test_a_list_of_an_indexed_and_a_missing_outlet_filters_on_one_and_names_the_other() -> None:
    plan = understand(
        "According to Sky News and the BBC, who won?", now=NOW, known_sources=["BBC News", "CNN"]
    )
    assert plan.filters.sources == ("BBC News",)
    assert plan.text == "who won?"
    assert plan.unknown_sources_note() == "No articles from Sky News are indexed."


def test_an_indexed_outlets_possessive_is_cut_whole() -> None:
    plan = understand(
        "According to CNN's reporting, who won the vote in Kenya?",
        now=NOW,
        known_sources=["CNN"],
    )
    assert plan.filters.sources == ("CNN",)
    assert plan.text == "reporting, who won the vote in Kenya?"


@pytest.mark.parametrize(
    "question",
    [
        "According to Reuters and Biden, who won?",  # not a list of outlets
        "Did Biden and Trump say anything?",
    ],
)
def test_no_list_of_outlets_without_outlets(question: str) -> None:
    plan = understand(question, now=NOW, known_sources=KNOWN)
    assert "Biden" in plan.text
    assert "Biden" not in (plan.unknown_sources_note() or "")


@pytest.mark.parametrize(
    ("name", "known", "indexed"),
    [
        ("The Guardian", ["Guardian", "CNN"], ("Guardian",)),
        ("reuters.com", ["Reuters", "CNN"], ("Reuters",)),
        ("wikinews", ["Wikinews"], ("Wikinews",)),
        ("BBC", ["BBC News", "BBC Sport", "CNN"], ("BBC News", "BBC Sport")),
        ("Le Monde", ["Reuters", "CNN"], ()),
        # A name of outlet words only is another outlet's with more words, but qualifiers.
        ("Financial Times", ["The Times", "CNN"], ()),
        ("the Times", ["Financial Times"], ()),
        ("Irish Independent", ["The Independent"], ()),
        ("the Daily Telegraph", ["The Telegraph"], ("The Telegraph",)),
        # Written apart or together.
        ("Wiki News", ["Wikinews", "Reuters"], ("Wikinews",)),
        ("the Tech Wire", ["TechWire"], ("TechWire",)),
    ],
)
def test_indexed_outlets_tolerate_spellings(
    name: str, known: list[str], indexed: tuple[str, ...]
) -> None:
    assert indexed_outlets(name, known) == indexed


def test_a_list_naming_another_outlet_of_the_same_word_filters_not_on_it() -> None:
    question = "According to the Financial Times and Reuters, what happened to BP?"
    plan = understand(question, now=NOW, known_sources=["The Times", "Reuters"])
    assert plan.filters.sources == ("Reuters",)
    assert plan.unknown_sources == ("the Financial Times",)


@pytest.mark.parametrize(
    "question",
    ["According to CNN Trump said what about tariffs?", "Per CNN Biden won the debate?"],
)
def test_an_outlet_named_without_its_comma_still_counts(question: str) -> None:
    # A name of its own followed by a capitalised word is the outlet, not a longer name.
    plan = understand(question, now=NOW, known_sources=["CNN", "Reuters"])
    assert plan.filters.sources == ("CNN",)
    assert "CNN" not in plan.text
    unknown = understand(question, now=NOW, known_sources=["Reuters"])
    assert unknown.unknown_sources == ("CNN",)
