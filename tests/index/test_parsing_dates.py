"""Publication dates: every accepted shape ends as an aware UTC datetime; junk is None."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.parsing import parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-06-12", datetime(2022, 6, 12, tzinfo=UTC)),
        ("2022/06/12", datetime(2022, 6, 12, tzinfo=UTC)),
        ("2022-06-12T10:30:00", datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
        ("2022-06-12T10:30:00Z", datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
        ("2022-06-12T10:30:00+02:00", datetime(2022, 6, 12, 8, 30, tzinfo=UTC)),
        ("2022-06-12 10:30", datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
        ("Sun, 12 Jun 2022 10:30:00 GMT", datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
        ("Sun, 12 Jun 2022 10:30:00 -0500", datetime(2022, 6, 12, 15, 30, tzinfo=UTC)),
        ("June 12, 2022", datetime(2022, 6, 12, tzinfo=UTC)),
        (" 2022/06/12 ", datetime(2022, 6, 12, tzinfo=UTC)),
        (1655029800, datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
        (1655029800000, datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
        (date(2022, 6, 12), datetime(2022, 6, 12, tzinfo=UTC)),
        (datetime(2022, 6, 12, 10, 30), datetime(2022, 6, 12, 10, 30, tzinfo=UTC)),
    ],
)
def test_accepted_shapes(value: object, expected: datetime) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "not a date", "2022-13-45", "2022/02/30", "yesterday", "June 2022", "2022",
     "0000-00-00", "9999-01-01", True, [2022, 6, 12], {"year": 2022}, float("nan"), 1e30],
)  # fmt: skip
def test_unreadable_values_are_none(value: object) -> None:
    assert parse_date(value) is None


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.binary()))
def test_never_raises_and_is_always_utc(value: object) -> None:
    moment = parse_date(value)
    assert moment is None or moment.utcoffset() == timedelta(0)


@settings(max_examples=50, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1950, 1, 1),
        max_value=datetime(2090, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
)
def test_iso_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    assert parse_date(moment.isoformat()) == moment
    assert parse_date(moment.isoformat()).tzinfo == UTC  # type: ignore[union-attr]
