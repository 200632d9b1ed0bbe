"""A period still under way ("this week", "this month", "this year", "today") ends at the
question's time: neither searched nor described to the user with days still to come."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retrieval.assistant import period_caveat
from retrieval.dates import date_range_from_question, describe_range
from retrieval.types import DateRange, Passage

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # a Tuesday


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("question", "start", "words"),
    [
        ("What happened this week?", utc(2026, 11, 30), "from 30 Nov 2026 to 1 Dec 2026"),
        ("What happened this month?", utc(2026, 12, 1), "from 1 Dec 2026"),
        ("Who resigned this year?", utc(2026, 1, 1), "from 1 Jan 2026 to 1 Dec 2026"),
        ("Strikes in December?", utc(2026, 12, 1), "from 1 Dec 2026"),
        ("Elections in 2026", utc(2026, 1, 1), "from 1 Jan 2026 to 1 Dec 2026"),
        ("Any news today?", utc(2026, 12, 1), "from 1 Dec 2026"),
    ],
)
def test_a_period_under_way_ends_now(question: str, start: datetime, words: str) -> None:
    found, _ = date_range_from_question(question, now=NOW)
    assert found == DateRange(start, NOW)
    assert describe_range(found) == words


def test_the_end_is_now_in_the_askers_timezone() -> None:
    # 1 Dec 2026 18:30 in Seoul: the local week began on Monday 30 Nov, local midnight.
    found, _ = date_range_from_question("What happened this week?", now=NOW, timezone="Asia/Seoul")
    assert found == DateRange(utc(2026, 11, 29, 15), NOW)
    assert describe_range(found, "Asia/Seoul") == "from 30 Nov 2026 to 1 Dec 2026"


def test_finished_periods_keep_their_end() -> None:
    found, _ = date_range_from_question("What happened in November?", now=NOW)
    assert found == DateRange(utc(2026, 11, 1), utc(2026, 12, 1) - timedelta(microseconds=1))


def test_the_caveat_names_no_day_still_to_come() -> None:
    older = Passage(
        chunk_id=1,
        article_id=1,
        title="Old news",
        source="Wire",
        published_at=utc(2026, 11, 20),
        url="https://example.com/1",
        text="Something happened.",
        score=1.0,
        similarity=0.6,
    )
    period, _ = date_range_from_question("What happened this week?", now=NOW)
    assert period is not None
    caveat = period_caveat([older], period)
    assert caveat == "Nothing from 30 Nov 2026 to 1 Dec 2026; older coverage:"
