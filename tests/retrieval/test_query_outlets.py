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
    ("question", "known", "text"),
    [
        # An indexed outlet spelled another way is no missing outlet: it filters.
        ("What is happening in Sudan, per Reuters?", ["Reuters UK"], "What is happening in Sudan?"),
        (
            "What is happening in Sudan, per Reuters?",
            ["reuters.com"],
            "What is happening in Sudan?",
        ),
        ("According to the BBC, what happened in Iran?", ["BBC News"], "what happened in Iran?"),
        (
            "What did the New York Times report about Iran?",
            ["NYT > World News"],
            "What did report about Iran?",
        ),
        ("How many died, per AP?", ["Associated Press"], "How many died?"),
        ("According to the Daily Telegraph, who won?", ["The Telegraph"], "who won?"),
    ],
)
def test_an_outlet_indexed_under_another_spelling_filters(
    question: str, known: list[str], text: str
) -> None:
    plan = understand(question, now=NOW, known_sources=[*known, "CNN"])
    assert plan.unknown_sources == ()
    assert plan.filters.sources == tuple(known)
    assert plan.text == text


def test_the_times_of_israel_is_not_the_times() -> None:
    question = "Is the Jerusalem Post closing, per the Times of Israel?"
    plan = understand(question, now=NOW, known_sources=["CNN", "The Times"])
    assert plan.unknown_sources == ()
    assert plan.filters.sources == ()
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


# ---- lower-case lists, longer names, reporting verbs (outlets3) ---------------------------


@pytest.mark.parametrize(
    ("question", "known", "text", "indexed", "unknown"),
    [
        (
            "according to cnn and bbc, what happened in Munich?",
            ["BBC"],
            "what happened in Munich?",
            ("BBC",),
            ("cnn",),
        ),
        (
            "per reuters and ap, who won the vote?",
            ["Reuters"],
            "who won the vote?",
            ("Reuters",),
            ("ap",),
        ),
        (
            "per reuters and ap, who won the vote?",
            ["CNN"],
            "who won the vote?",
            (),
            ("reuters", "ap"),
        ),
        # Mixed case, three names, "or", an indexed outlet spelled otherwise, no comma.
        (
            "According to CNN, bbc and reuters, who won?",
            ["BBC"],
            "who won?",
            ("BBC",),
            ("CNN", "reuters"),
        ),
        (
            "according to cnn or bbc, what happened in Munich?",
            ["BBC News"],
            "what happened in Munich?",
            ("BBC News",),
            ("cnn",),
        ),
        (
            "what happened in Munich according to cnn and the bbc",
            ["BBC"],
            "what happened in Munich",
            ("BBC",),
            ("cnn",),
        ),
        (
            "what did the bbc and the times report about the budget?",
            ["BBC"],
            "what did report about the budget?",
            ("BBC",),
            ("the times",),
        ),
    ],
)
def test_lower_case_lists_filter_on_the_indexed_and_name_the_rest(
    question: str, known: list[str], text: str, indexed: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    assert plan.filters.sources == indexed
    assert plan.unknown_sources == unknown
    assert plan.text == text


def test_the_note_for_a_lower_case_list_names_the_missing_outlet() -> None:
    plan = understand(
        "according to cnn and bbc, what happened in Munich?", now=NOW, known_sources=["BBC"]
    )
    assert plan.unknown_sources_note() == "No articles from cnn are indexed."


@pytest.mark.parametrize(
    "question",
    [
        # Alone and in lower case, a word may be no outlet: left as asked.
        "according to the independent, who won?",
        "per reuters, who won?",
        "according to the independent electoral commission, who won?",
    ],
)
def test_a_lower_case_name_alone_is_no_outlet(question: str) -> None:
    plan = understand(question, now=NOW, known_sources=["CNN"])
    assert plan.unknown_sources == ()
    assert plan.text == question


@pytest.mark.parametrize(
    ("question", "known", "text", "unknown"),
    [
        (
            "the Sunday Times reported what about the strike?",
            ["Times"],
            "reported what about the strike?",
            ("the Sunday Times",),
        ),
        (
            "the Sunday Times reported what about the strike?",
            ["The Times"],
            "reported what about the strike?",
            ("the Sunday Times",),
        ),
        (
            "What did the Financial Times report about BP?",
            ["Times"],
            "What did report about BP?",
            ("the Financial Times",),
        ),
        (
            "The Irish Independent reported what about the budget?",
            ["Independent"],
            "reported what about the budget?",
            ("the Irish Independent",),
        ),
        ("The New York Times reported what?", ["Times"], "reported what?", ("the New York Times",)),
        (
            "The Times of India said what about the floods?",
            ["Times"],
            "said what about the floods?",
            ("the Times of India",),
        ),
    ],
)
def test_a_longer_name_holding_an_indexed_one_is_another_outlet(
    question: str, known: list[str], text: str, unknown: tuple[str, ...]
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    assert plan.filters.sources == ()
    assert plan.unknown_sources == unknown
    assert plan.text == text


@pytest.mark.parametrize(
    ("question", "known", "source", "text"),
    [
        # A qualifier keeps the outlet; a date before the name is no part of it.
        ("What did the Daily Telegraph report?", ["Telegraph"], "Telegraph", "What did report?"),
        (
            "On Sunday Times reported a strike; what happened?",
            ["Times"],
            "Times",
            "reported a strike; what happened?",
        ),
        (
            "the Sunday Times reported what about the strike?",
            ["Sunday Times", "Times"],
            "Sunday Times",
            "reported what about the strike?",
        ),
    ],
)
def test_a_longer_name_of_the_same_outlet_or_a_date_still_filters(
    question: str, known: list[str], source: str, text: str
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    assert plan.filters.sources == (source,)
    assert plan.unknown_sources == ()
    assert plan.text == text


@pytest.mark.parametrize(
    ("question", "known", "text", "indexed", "unknown"),
    [
        # Before a reporting verb, as the indexed-name pass reads them.
        (
            "Reuters reported what about the port strike?",
            ["CNN"],
            "reported what about the port strike?",
            (),
            ("Reuters",),
        ),
        (
            "Reuters and AP reported what about the quake?",
            ["Reuters"],
            "reported what about the quake?",
            ("Reuters",),
            ("AP",),
        ),
        # An outlet joined to a name that is none goes with its "and".
        (
            "according to cnn and police, who won?",
            ["CNN"],
            "according to police, who won?",
            ("CNN",),
            (),
        ),
        (
            "According to Reuters and Biden, who won?",
            ["CNN"],
            "According to Biden, who won?",
            (),
            ("Reuters",),
        ),
        (
            "CNN and police said what about the attack?",
            ["CNN"],
            "police said what about the attack?",
            ("CNN",),
            (),
        ),
        (
            "What did the Bank of England and the Times say?",
            ["The Times"],
            "What did the Bank of England say?",
            ("The Times",),
            (),
        ),
        (
            "How did Fox and CNN cover the debate?",
            ["CNN"],
            "How did Fox cover the debate?",
            ("CNN",),
            (),
        ),
        # A plural's possessive: the outlet's reporting, cut whole.
        (
            "According to the Financial Times' reporting, who won?",
            ["CNN"],
            "reporting, who won?",
            (),
            ("the Financial Times",),
        ),
    ],
)
def test_outlets_before_a_verb_or_joined_to_another_name(
    question: str, known: list[str], text: str, indexed: tuple[str, ...], unknown: tuple[str, ...]
) -> None:
    plan = understand(question, now=NOW, known_sources=known)
    assert plan.filters.sources == indexed
    assert plan.unknown_sources == unknown
    assert plan.text == text


@pytest.mark.parametrize(
    "question",
    [
        "according to the Fed, will rates rise?",
        "The Fed said what about inflation?",
        "The World Health Organization said what about measles?",
        "What did the World Health Organization say about measles?",
        "According to the Bank of England, will rates rise?",
        "According to Human Rights Watch, how many died?",
        "According to the UN and the Red Cross, how many died?",
        "The World Health Organization and the CDC said what about measles?",
        "What did the Pentagon say about the strike?",
        "What did the Home Office say?",
        "Trump said what about tariffs?",
        "What do experts say about inflation?",
        # A name going on past an outlet's: an agency, a person of an outlet.
        "What did the Kenya News Agency report?",
        "According to the Financial Times' Martin Wolf, will rates rise?",
        "What did Reuters' Jane Doe report?",
        # An outlet joined to another capitalised name, maybe an outlet too: left alone.
        "What did the World Health Organization and Reuters say about measles?",
        "What did the FT and the WSJ report?",
    ],
)
def test_institutions_and_people_are_no_outlets(question: str) -> None:
    plan = understand(question, now=NOW, known_sources=["CNN", "Reuters UK"])
    assert plan.unknown_sources == ()
    assert plan.filters.sources == ()
    assert plan.text == question


def test_a_possessive_before_a_verb_makes_it_a_noun() -> None:
    plan = understand(
        "What did the New York Times say about the Washington Post's report?",
        now=NOW,
        known_sources=["CNN"],
    )
    assert plan.unknown_sources == ("the New York Times",)
    assert plan.text == "What did say about the Washington Post's report?"
