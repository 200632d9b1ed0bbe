"""An outlet's name ending in "today" typed in lower or mixed case ("according to usa
today", "USA today reported") is no date when the question names it as its source; "today"
anywhere else still is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.dates import date_range_from_question
from retrieval.query import understand
from retrieval.types import DateRange

NOW = datetime(2024, 11, 15, 14, 30, tzinfo=UTC)
TODAY = DateRange(datetime(2024, 11, 15, tzinfo=UTC), NOW)


@pytest.mark.parametrize(
    "question",
    [
        "what did according to usa today happen",
        "according to usa today, who won the election?",
        "according to USA today, who won the election?",
        "According to USA TODAY, who won the election?",
        "per usa today who won",
        "as reported by the usa today, who won?",
        "what did usa today report about the election?",
        "usa today reported what about the strike?",
        "what did india today say about the monsoon?",
        "ACCORDING TO USA TODAY, WHO WON?",
    ],
)
def test_an_outlet_named_as_the_source_in_any_case_is_no_date(question: str) -> None:
    assert date_range_from_question(question, now=NOW) == (None, question)


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("what happened today", "what happened"),
        ("news today", "news"),
        ("today in gaza", "in gaza"),
        ("what happened in gaza today?", "what happened in gaza?"),
        # A place that shares the outlet's name, and nothing naming a source: today.
        ("what happened in usa today?", "what happened in usa?"),
        ("what is happening in india today?", "what is happening in india?"),
        ("is india today right about the monsoon?", "is india right about the monsoon?"),
        ("usa today?", "usa?"),
        ("what did the usa say today?", "what did the usa say?"),
        # Not a well-known outlet's name: "according to gaza today" is today in Gaza.
        ("according to gaza today, who won?", "according to gaza, who won?"),
    ],
)
def test_today_elsewhere_is_still_today(question: str, rest: str) -> None:
    assert date_range_from_question(question, now=NOW) == (TODAY, rest)


def test_the_outlets_today_and_a_later_today_are_told_apart() -> None:
    range_, rest = date_range_from_question("what did usa today report today?", now=NOW)
    assert (range_, rest) == (TODAY, "what did usa today report?")


@pytest.mark.parametrize("known", [("CNN",), ("USA Today", "CNN")])
def test_plans_get_no_period_from_a_lower_case_usa_today(known: tuple[str, ...]) -> None:
    plan = understand("according to usa today, who won the election?", now=NOW, known_sources=known)
    assert plan.period is None
    assert plan.filters.sources == tuple(k for k in known if k == "USA Today")
