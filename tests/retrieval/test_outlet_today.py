"""Today ending an outlet's name ("USA Today") is no date; "today" alone still is."""

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
        "According to USA Today, who won the election?",
        "What did USA Today report about the election?",
        "USA Today reported what about the strike?",
        "What is USA Today's view of the election?",
        "Is India Today right about the monsoon?",
    ],
)
def test_today_ending_a_name_is_no_date(question: str) -> None:
    assert date_range_from_question(question, now=NOW) == (None, question)


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("What happened today?", "What happened?"),
        ("What happened in Paris today?", "What happened in Paris?"),
        ("Today, what did Biden say?", "what did Biden say?"),
        ("News Today?", "News?"),
        ("What Happened In Paris Today?", "What Happened In Paris?"),  # title case throughout
    ],
)
def test_today_on_its_own_is_still_today(question: str, rest: str) -> None:
    assert date_range_from_question(question, now=NOW) == (TODAY, rest)


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("According to USA Today, who won the election?", "who won the election?"),
        ("What did USA Today report about the election?", "What did report about the election?"),
        ("USA Today reported what about the strike?", "reported what about the strike?"),
    ],
)
def test_an_unindexed_usa_today_is_said_not_dated(question: str, text: str) -> None:
    plan = understand(question, now=NOW, known_sources=("CNN", "Reuters"))
    assert plan.period is None
    assert plan.unknown_sources == ("USA Today",)
    assert plan.text == text
    assert plan.filters.sources == ()


def test_an_indexed_usa_today_filters_and_a_later_today_still_dates() -> None:
    plan = understand(
        "What did USA Today report today?", now=NOW, known_sources=("USA Today", "CNN")
    )
    assert plan.filters.sources == ("USA Today",)
    assert plan.period == TODAY
