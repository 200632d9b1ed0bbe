"""Date phrases -> UTC ranges in the asker's timezone, and words that only look like dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from index.errors import BadInputError
from retrieval.dates import date_range_from_question
from retrieval.types import DateRange

NOW = datetime(2024, 11, 15, 14, 30, tzinfo=UTC)  # a Friday
END = timedelta(microseconds=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def day(year: int, month: int, dom: int) -> DateRange:
    start = utc(year, month, dom)
    return DateRange(start, start + timedelta(days=1) - END)


@pytest.mark.parametrize(
    ("question", "expected", "text"),
    [
        ("What happened yesterday in Seoul?", day(2024, 11, 14), "What happened in Seoul?"),
        ("Any news today?", DateRange(utc(2024, 11, 15), NOW), "Any news?"),  # ends now
        ("What happened last week?", DateRange(NOW - timedelta(days=7), NOW), "What happened?"),
        ("What was said this week?", DateRange(utc(2024, 11, 11), NOW), None),
        ("Rates news last month", DateRange(utc(2024, 10, 1), utc(2024, 11, 1) - END), None),
        (
            "What did Biden say in October?",
            DateRange(utc(2024, 10, 1), utc(2024, 11, 1) - END),
            "What did Biden say?",
        ),
        ("In December, who resigned?", DateRange(utc(2023, 12, 1), utc(2024, 1, 1) - END), None),
        ("What happened on June 12?", day(2024, 6, 12), "What happened?"),
        ("Elections in 2021", DateRange(utc(2021, 1, 1), utc(2022, 1, 1) - END), "Elections"),
        ("What happened two days ago?", day(2024, 11, 13), "What happened?"),
        ("Any strikes since Monday?", DateRange(utc(2024, 11, 11), None), "Any strikes?"),
        ("Floods in the past 3 days", DateRange(NOW - timedelta(days=3), NOW), "Floods"),
        ("Floods in the last 24 hours", DateRange(NOW - timedelta(hours=24), NOW), "Floods"),
        ("Protests over the past week", DateRange(NOW - timedelta(days=7), NOW), "Protests"),
        ("Who won on 12 June 2023?", day(2023, 6, 12), "Who won?"),
        ("What happened on 2024-03-05?", day(2024, 3, 5), "What happened?"),
        ("Trade news in Oct 2023", DateRange(utc(2023, 10, 1), utc(2023, 11, 1) - END), None),
        ("Attacks after Oct 7", DateRange(utc(2024, 10, 8), None), "Attacks"),
        ("Leaders before 2020", DateRange(None, utc(2020, 1, 1) - END), "Leaders"),
        ("Talks between March 3 and March 10", DateRange(utc(2024, 3, 3), day(2024, 3, 10).end),
         "Talks"),
        ("Rain on Monday and Tuesday?", DateRange(utc(2024, 11, 11), day(2024, 11, 12).end),
         "Rain?"),
        ("Who scored in yesterday's match?", day(2024, 11, 14), "Who scored match?"),
        ("What did the mayor say last Tuesday about taxes?", day(2024, 11, 12),
         "What did the mayor say about taxes?"),
        # Numbers before the date phrase must not hide it.
        ("COVID-19 cases in March", DateRange(utc(2024, 3, 1), utc(2024, 4, 1) - END),
         "COVID-19 cases"),
        ("What did the G20 say on June 12?", day(2024, 6, 12), "What did the G20 say?"),
        ("What was in The Week yesterday?", day(2024, 11, 14), "What was in The Week?"),
    ],
)  # fmt: skip
def test_phrases_become_ranges(question: str, expected: DateRange, text: str | None) -> None:
    found, remaining = date_range_from_question(question, now=NOW)
    assert found == expected
    if text is not None:
        assert remaining == text


@pytest.mark.parametrize(
    "question",
    [
        "What did the US say about North Korea?",
        "May Russia win?",
        "Who won the March Madness final?",
        "Why is the sun so bright now?",
        "What did Sunday Times report about the merger?",
        "What happened at the second round of talks?",
        "Who investigated the Jan. 6 riot?",
        "Who planned the Sept. 11 attacks?",
        "How many died in the 9/11 attacks?",
        "Who won the 2020 election?",
        "What are Trump's plans for 2025?",
        "Why is Hurricane Milton 2024 so strong?",
        "Is the $5 billion deal done?",
        "What happened in the 1990s?",
        "Will the vote be at 3pm?",
        "Is the Boeing 737 Max safe?",
        "What did the G20 agree?",
    ],
)
def test_ordinary_words_are_not_dates(question: str) -> None:
    assert date_range_from_question(question, now=NOW) == (None, question)


def test_yesterday_is_the_askers_local_day() -> None:
    # 01:00 UTC on the 15th is still the evening of the 14th in New York.
    early = utc(2024, 11, 15, 1, 0)
    new_york, _ = date_range_from_question("Yesterday?", now=early, timezone="America/New_York")
    assert new_york == DateRange(utc(2024, 11, 13, 5), utc(2024, 11, 14, 5) - END)
    seoul, _ = date_range_from_question("Yesterday?", now=early, timezone="Asia/Seoul")
    assert seoul == DateRange(utc(2024, 11, 13, 15), utc(2024, 11, 14, 15) - END)


def test_a_day_with_a_daylight_saving_change_lasts_25_hours() -> None:
    # Berlin left summer time on 2024-10-27: midnight was 22:00 UTC, the next one 23:00 UTC.
    now = utc(2024, 10, 28, 9)
    found, _ = date_range_from_question("news yesterday", now=now, timezone="Europe/Berlin")
    assert found == DateRange(utc(2024, 10, 26, 22), utc(2024, 10, 27, 23) - END)


def test_month_name_means_the_most_recent_such_month() -> None:
    october = DateRange(utc(2024, 10, 1), utc(2024, 11, 1) - END)
    during, _ = date_range_from_question("in October?", now=utc(2024, 10, 10))
    assert during == DateRange(october.start, utc(2024, 10, 10))  # under way: ends now
    after, _ = date_range_from_question("in October?", now=utc(2025, 1, 20))
    assert after == october


def test_naive_now_is_utc() -> None:
    naive, _ = date_range_from_question("yesterday", now=datetime(2024, 11, 15, 14, 30))
    assert naive == day(2024, 11, 14)


def test_a_future_period_is_no_filter() -> None:
    assert date_range_from_question("Elections in 2030", now=NOW) == (None, "Elections in 2030")


def test_a_question_that_is_only_a_date_keeps_its_text() -> None:
    found, text = date_range_from_question("yesterday?", now=NOW)
    assert found == day(2024, 11, 14)
    assert text == "yesterday?"


def test_unknown_timezone_is_a_user_error() -> None:
    with pytest.raises(BadInputError):
        date_range_from_question("yesterday", now=NOW, timezone="Mars/Olympus")


def test_absurd_numbers_do_not_crash() -> None:
    found, _ = date_range_from_question("in 99999999999 years", now=NOW)
    assert found is None


def test_a_phrase_inside_a_sentence_is_found() -> None:
    found = date_range_from_question("Why did markets fall today after the report?", now=NOW)
    today = DateRange(utc(2024, 11, 15), NOW)
    assert found == (today, "Why did markets fall after the report?")


@pytest.mark.parametrize(
    "question",
    [
        "Food prices are far higher than they were a year ago: which item rose most?",
        "Which city saw the biggest rent increase compared to a year ago?",
        "Were exports lower than last month?",
        "How did sales do versus 2019?",
    ],
)
def test_a_point_of_comparison_is_not_the_questions_time(question: str) -> None:
    assert date_range_from_question(question, now=NOW)[0] is None


def test_a_quantity_comparison_keeps_its_date_phrase() -> None:
    found, _ = date_range_from_question(
        "Prices rose by more than 13% on average over the last 12 months. Why?", now=NOW
    )
    assert found == DateRange(datetime(2023, 11, 15, 14, 30, tzinfo=UTC), NOW)


def test_spans_of_years_and_times_of_day() -> None:
    three_years, _ = date_range_from_question("Thefts in the past three years", now=NOW)
    assert three_years == DateRange(utc(2021, 11, 15, 14, 30), NOW)
    monday_night, text = date_range_from_question("Who scored on Monday night?", now=NOW)
    assert monday_night == day(2024, 11, 11)
    assert text == "Who scored?"


def test_a_year_with_a_modifier() -> None:
    found, text = date_range_from_question("What was agreed in mid-2022?", now=NOW)
    assert found == DateRange(utc(2022, 1, 1), utc(2023, 1, 1) - END)
    assert text == "What was agreed?"
