"""A capitalised "Today" after a place or a person is still today; only an outlet's name
ending in it ("USA Today", "India Today") takes it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.dates import date_range_from_question
from retrieval.query import understand
from retrieval.types import DateRange

NOW = datetime(2024, 11, 15, 14, 30, tzinfo=UTC)
TODAY = DateRange(datetime(2024, 11, 15, tzinfo=UTC), NOW)


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("What happened in Gaza Today?", "What happened in Gaza?"),
        ("What did Biden say about Ukraine Today?", "What did Biden say about Ukraine?"),
        ("Any news from Wall Street Today?", "Any news from Wall Street?"),
        ("What did Zelensky tell Congress Today?", "What did Zelensky tell Congress?"),
    ],
)
def test_today_after_a_name_that_is_no_outlet_is_today(question: str, rest: str) -> None:
    assert date_range_from_question(question, now=NOW) == (TODAY, rest)


def test_today_after_an_outlet_in_a_longer_run_is_the_outlets() -> None:
    # "Is India Today": the run's last words are the outlet.
    question = "Did Modi talk to India Today about the floods?"
    assert date_range_from_question(question, now=NOW) == (None, question)


def test_an_indexed_outlet_ending_in_today_is_read_before_dates() -> None:
    # Not a well-known name, but indexed: the outlet pass takes it first.
    plan = understand(
        "What did Psychology Today report about sleep?",
        now=NOW,
        known_sources=("Psychology Today", "CNN"),
    )
    assert plan.filters.sources == ("Psychology Today",)
    assert plan.period is None


def test_plans_keep_the_date_of_a_question_about_a_place_today() -> None:
    plan = understand("What happened in Gaza Today?", now=NOW, known_sources=("CNN",))
    assert plan.period == TODAY
    assert plan.text == "What happened in Gaza?"
    assert plan.unknown_sources == ()
