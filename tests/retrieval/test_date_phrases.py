"""The date-phrase grammar: what it finds, the date each phrase names, and agreement with
dateparser (the library it replaced) on every form both know."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from dateparser.search import search_dates

from retrieval.date_phrases import PhraseDate, find_date_phrases

FRIDAY = datetime(2024, 11, 15, 14, 30)

NOWS = (
    FRIDAY,
    datetime(2022, 3, 31, 23, 30),  # month end: "last month" lands on February 28
    datetime(2023, 1, 1, 0, 15),  # year start
    datetime(2024, 2, 29, 12, 0),  # leap day
    datetime(2022, 6, 12, 8, 0),  # a Sunday
)
PHRASES = (
    "today", "tonight", "yesterday", "last night", "this morning", "this evening",
    "this week", "this month", "this year", "last week", "last month", "last year",
    "last 3 days", "last 2 weeks", "last 24 hours", "last 6 months", "last 2 years",
    "previous 3 days", "two days ago", "3 weeks ago", "5 months ago", "2 years ago",
    "1 month ago", "4 hours ago", "ten days ago",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "last Monday", "last Sunday", "last Wednesday",
    "January", "February", "March", "June", "October", "November", "December",
    "Oct 2023", "June 2022", "March, 2021",
    "June 12", "Jan 1", "Dec 31", "Nov 15th", "Feb 29", "March 31", "October 7", "Oct. 7",
    "12 June", "3rd of March", "12 June 2023", "June 12, 2022",
    "2024-03-05", "2021-12-31", "6/12/2022", "12/31/2021", "13/06/2022", "5/11/95",
    "2021", "2019", "1999",
)  # fmt: skip
# Relative spans are compared to the minute; other phrases by their period's first day.
SPANS = ("ago", "last 3", "last 2", "last 24", "last 6", "previous", "last week", "last month")


def _period_start(when: datetime, period: str) -> date:
    day = when.date()
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return day


def _comparable(phrase: str, when: datetime, period: str) -> tuple[object, str]:
    if any(marker in phrase for marker in SPANS) or phrase == "last year":
        return when.replace(tzinfo=None), period
    return _period_start(when, period), period


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.isoformat())
def test_every_form_names_the_date_dateparser_gives(now: datetime) -> None:
    settings = {"RELATIVE_BASE": now, "PREFER_DATES_FROM": "past"}
    for phrase in PHRASES:
        text = f"news on {phrase}"
        reference = search_dates(
            text, languages=["en"], settings=settings, add_period=True, strategy="ngram"
        )
        assert reference, phrase
        _, when, period = reference[-1]
        [found] = find_date_phrases(text, now)
        assert text[found.start : found.end].lower() == phrase.lower()
        expected = _comparable(phrase, when, period)
        assert _comparable(phrase, found.when, found.period) == expected, phrase


def _one(text: str, now: datetime = FRIDAY) -> PhraseDate:
    [found] = find_date_phrases(text, now)
    return found


def test_a_bare_weekday_is_the_last_one_before_today() -> None:
    assert _one("on Friday").when.date() == date(2024, 11, 8)
    assert _one("on Thursday").when.date() == date(2024, 11, 14)
    assert _one("this Tuesday").when.date() == date(2024, 11, 12)  # of the current week
    assert find_date_phrases("next Monday", FRIDAY) == []


def test_a_date_without_a_year_is_never_in_the_future() -> None:
    assert _one("on November 15").when == datetime(2024, 11, 15)
    assert _one("on November 16").when == datetime(2023, 11, 16)
    assert _one("in December").when == datetime(2023, 12, 1)
    assert _one("on Feb 29", datetime(2023, 6, 1)).when == datetime(2020, 2, 29)


def test_the_longest_phrase_wins_and_order_is_kept() -> None:
    found = find_date_phrases("from June 12, 2022 to 2024-03-05 and last 3 days", FRIDAY)
    assert [(p.when.date(), p.period) for p in found] == [
        (date(2022, 6, 12), "day"),
        (date(2024, 3, 5), "day"),
        (date(2024, 11, 12), "day"),
    ]


def test_number_words_and_parts_of_the_day() -> None:
    assert _one("a week ago").when == FRIDAY - timedelta(days=7)
    assert _one("the last couple of days").when == FRIDAY - timedelta(days=2)
    monday_night = _one("on Monday night")
    assert (monday_night.when.date(), monday_night.period) == (date(2024, 11, 11), "day")


@pytest.mark.parametrize(
    "text",
    [
        "2024-13-45",
        "99999999999 years ago",  # out of the calendar's range
        "last 99999 years",
        "a raid on Mar-a-Lago",  # a month's letters inside a name
        "the 1990s",  # a decade, not a year
        "a $2024 bill",
        "9/11",  # a numeric date needs its year
        "by 3pm",
    ],
)
def test_what_names_no_valid_date_is_left_out(text: str) -> None:
    assert find_date_phrases(text, FRIDAY) == []
