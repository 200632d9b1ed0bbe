"""understand(): outlet filters from the known sources, recency intent, dates, as-of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retrieval.query import QueryPlan, understand
from retrieval.types import DateRange, SearchFilters

NOW = datetime(2024, 11, 15, 14, 30, tzinfo=UTC)
SOURCES = ("CNN", "Reuters", "The Week", "BBC", "BBC News", "site-59", "Time")


def plan(question: str, **kwargs: object) -> QueryPlan:
    return understand(question, now=NOW, known_sources=SOURCES, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "sources", "text"),
    [
        ("What did Biden say according to CNN?", ("CNN",), "What did Biden say?"),
        ("What did Biden say, according to cnn?", ("CNN",), "What did Biden say?"),
        ("Oil prices from Reuters", ("Reuters",), "Oil prices"),
        ("What was in The Week about the strike?", ("The Week",), "What was about the strike?"),
        ("According to the week, who won?", ("The Week",), "who won?"),
        ("Gaza updates from bbc news", ("BBC News",), "Gaza updates"),
        ("Is there anything from site-59 on rice?", ("site-59",), "Is there anything on rice?"),
        ("What did CNN say about the vote?", ("CNN",), "What did say about the vote?"),
        ("What does the BBC report on floods?", ("BBC",), "What does report on floods?"),
    ],
)
def test_named_outlets_become_a_filter(question: str, sources: tuple[str, ...], text: str) -> None:
    found = plan(question)
    assert found.filters.sources == sources
    assert found.text == text


@pytest.mark.parametrize(
    "question",
    [
        "What happened in the week of the summit?",  # "in the week" is no outlet
        "Did the rescuers arrive in time?",
        "What did Al Jazeera report according to its sources?",  # not a known outlet
        "Is CNNs coverage biased?",
    ],
)
def test_ordinary_phrases_are_not_outlets(question: str) -> None:
    assert plan(question).filters.sources == ()


YESTERDAY = DateRange(
    datetime(2024, 11, 14, tzinfo=UTC),
    datetime(2024, 11, 15, tzinfo=UTC) - timedelta(microseconds=1),
)


@pytest.mark.parametrize(
    ("question", "source", "text", "period"),
    [
        ("What did USA Today report?", "USA Today", "What did report?", None),
        ("News from USA Today yesterday", "USA Today", "News", YESTERDAY),
        ("What did Monday Morning say about oil?", "Monday Morning", "What did say about oil?",
         None),
    ],
)  # fmt: skip
def test_an_outlet_name_outranks_the_date_words_inside_it(
    question: str, source: str, text: str, period: DateRange | None
) -> None:
    known = (*SOURCES, "USA Today", "Monday Morning")
    found = understand(question, now=NOW, known_sources=known)
    assert found.filters.sources == (source,)
    assert found.text == text
    assert found.period == period


def test_no_known_sources_means_no_outlet_filter() -> None:
    found = understand("What did Biden say according to CNN?", now=NOW)
    assert found.filters.sources == ()
    assert found.text == "What did Biden say according to CNN?"


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("What is the latest on the Gaza ceasefire?", "What is the on the Gaza ceasefire?"),
        ("Newest reports about the typhoon", "reports about the typhoon"),
        ("Most recent news on the Fed", "news on the Fed"),
        ("Any recent earthquakes?", "Any earthquakes?"),
        ("last news about Apple", "about Apple"),
    ],
)
def test_recency_words_ask_for_newest_first(question: str, text: str) -> None:
    found = plan(question)
    assert found.recency
    assert found.text == text
    assert found.filters == SearchFilters()  # recency ranks, it does not filter


def test_plain_question_has_no_recency_and_no_filters() -> None:
    found = plan("Who won the Champions League final?")
    assert found == QueryPlan(text="Who won the Champions League final?")


def test_date_outlet_recency_and_as_of_combine() -> None:
    as_of = NOW - timedelta(hours=1)
    found = plan("Latest from Reuters on oil last week?", as_of=as_of)
    assert found.recency
    assert found.filters == SearchFilters(sources=("Reuters",), as_of=as_of)
    assert found.period == DateRange(NOW - timedelta(days=7), NOW)  # favoured, not a filter
    assert found.text == "on oil?"


def test_timezone_reaches_the_date_range() -> None:
    found = understand("yesterday in Seoul", now=NOW, timezone="Asia/Seoul")
    assert found.filters.date_range is None
    assert found.period == DateRange(
        datetime(2024, 11, 13, 15, tzinfo=UTC),
        datetime(2024, 11, 14, 15, tzinfo=UTC) - timedelta(microseconds=1),
    )
    assert found.text == "in Seoul"
