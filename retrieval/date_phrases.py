"""Date phrases found in a question, each with the date it names and that date's period.

A small grammar of how news questions name time: relative words ("yesterday", "last
week", "3 days ago", "the past 24 hours"), weekdays, weekends ("over the weekend"), month
names with or without a day and year ("June 12", "12th of June 2023", "Oct 2023",
"October"), numeric dates ("2024-03-05", "6/12/2022") and years. Dates without a year
are the most recent such date, never one in the future; a bare weekday is the most recent
one before today, a weekend the latest one begun. This module only finds and resolves;
`retrieval/dates.py` decides which phrases are really dates ("May Russia win?") and what
range each names. (It replaced dateparser's search, which took 10-40 ms a
question and most of a question's CPU time when several words looked like dates.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "couple of": 2, "a couple of": 2, "few": 3, "a few": 3,
}  # fmt: skip

# Shared with `retrieval/dates.py`, which checks the phrases found here.
MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
WEEKDAY_NAME = rf"(?:{'|'.join(WEEKDAYS)})"
_NUMBERS = "|".join([r"\d+", *sorted(NUMBER_WORDS, key=len, reverse=True)])  # longest first
NUMBER = rf"(?:{_NUMBERS})"
UNIT = r"(?:hour|day|week|month|year)s?"

_MONTH = rf"(?P<month>{MONTH_NAME})(?![\w-])"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\w)"
_YEAR_AFTER = r"(?:,?\s+(?P<year>\d{4})(?!\w))?"
_NUM = rf"(?P<num>{_NUMBERS})"
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"
_UNIT = r"(?P<unit>hour|day|week|month|year)s?"


@dataclass(frozen=True)
class PhraseDate:
    """A phrase at [start, end) of the text, naming `when` (local wall-clock time, naive)
    within a period: "day", "weekend" (`when` is its Saturday), "week", "month" or "year"."""

    start: int
    end: int
    when: datetime
    period: str


Resolver = Callable[[re.Match[str], datetime], tuple[datetime, str] | None]


def find_date_phrases(text: str, now: datetime) -> list[PhraseDate]:
    """Date phrases of `text` in order, none overlapping (the longest wins), as of the
    local naive time `now`. Phrases naming no valid date ("Feb 30") are left out."""
    found: list[PhraseDate] = []
    for match, resolve in _candidates(text):
        try:
            resolved = resolve(match, now)
        except (ValueError, OverflowError):  # "99999 years ago", "2024-13-45"
            resolved = None
        if resolved is not None:
            found.append(PhraseDate(match.start(), match.end(), *resolved))
    found.sort(key=lambda p: (p.start, p.start - p.end))
    chosen: list[PhraseDate] = []
    for phrase in found:
        if not chosen or phrase.start >= chosen[-1].end:
            chosen.append(phrase)
    return chosen


def _candidates(text: str) -> Iterator[tuple[re.Match[str], Resolver]]:
    for pattern, resolve in _GRAMMAR:
        for match in pattern.finditer(text):
            yield match, resolve


# -- resolvers: (match, now) -> (when, period) ----------------------------------------


def _day_word(match: re.Match[str], now: datetime) -> tuple[datetime, str]:
    word = match.group(0).lower()
    back = 1 if word in ("yesterday", "last night") else 0
    return now - timedelta(days=back), "day"


def _this_or_last(match: re.Match[str], now: datetime) -> tuple[datetime, str]:
    unit = match.group("unit").lower()
    if match.group("rel").lower() == "this":
        return now, unit
    return _minus(now, 1, unit), unit


def _span(match: re.Match[str], now: datetime) -> tuple[datetime, str]:
    unit = match.group("unit").lower()
    return _minus(now, _number(match.group("num")), unit), _period_of(unit)


def _weekday(match: re.Match[str], now: datetime) -> tuple[datetime, str] | None:
    target = WEEKDAYS.index(match.group("weekday").lower())
    relative = (match.group("rel") or "").lower()
    if relative == "this":  # the day of the current week (a future one is no news)
        return now + timedelta(days=target - now.weekday()), "day"
    if relative == "next":
        return None
    back = (now.weekday() - target) % 7 or 7  # "Friday" said on a Friday: a week ago
    return now - timedelta(days=back), "day"


def _weekend(match: re.Match[str], now: datetime) -> tuple[datetime, str]:
    """The latest weekend begun by `now` (the current one on a Saturday or Sunday); "last
    weekend" said during a weekend is the one before."""
    saturday = now - timedelta(days=(now.weekday() - 5) % 7)
    if (match.group("rel") or "").lower() in ("last", "previous") and now.weekday() >= 5:
        saturday -= timedelta(days=7)
    return saturday, "weekend"


def _month_day(match: re.Match[str], now: datetime) -> tuple[datetime, str] | None:
    month, day = _month_number(match.group("month")), int(match.group("day"))
    if match.group("year"):
        return datetime(int(match.group("year")), month, day), "day"
    for year in range(now.year, now.year - 9, -1):  # Feb 29 waits for a leap year
        try:
            when = datetime(year, month, day)
        except ValueError:
            if day > 29 or month != 2:
                return None
            continue
        if when.date() <= now.date():
            return when, "day"
    return None


def _month(match: re.Match[str], now: datetime) -> tuple[datetime, str]:
    month = _month_number(match.group("month"))
    if match.groupdict().get("year"):
        return datetime(int(match.group("year")), month, 1), "month"
    year = now.year if month <= now.month else now.year - 1
    return datetime(year, month, 1), "month"


def _iso_date(match: re.Match[str], _now: datetime) -> tuple[datetime, str]:
    year, month, day = (int(part) for part in match.group(0).split("-"))
    return datetime(year, month, day), "day"


def _numeric_date(match: re.Match[str], _now: datetime) -> tuple[datetime, str]:
    """Month first, as in American English; day first when the first number exceeds 12."""
    first, second = int(match.group("first")), int(match.group("second"))
    year = int(match.group("year"))
    if len(match.group("year")) == 2:
        year += 1900 if year >= 69 else 2000
    month, day = (first, second) if first <= 12 else (second, first)
    return datetime(year, month, day), "day"


def _year(match: re.Match[str], _now: datetime) -> tuple[datetime, str]:
    return datetime(int(match.group("year")), 1, 1), "year"


# -- arithmetic ------------------------------------------------------------------------


def _number(word: str) -> int:
    word = " ".join(word.lower().split())
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _month_number(name: str) -> int:
    return MONTHS[name[:3].lower()]


def _period_of(unit: str) -> str:
    return "day" if unit == "hour" else unit


def _minus(now: datetime, count: int, unit: str) -> datetime:
    """`now` moved back by `count` units; months and years keep the day of the month where
    it exists, else take the month's last day (March 31 - 1 month = February 28/29)."""
    if unit in ("hour", "day", "week"):
        return now - timedelta(**{f"{unit}s": count})
    months = count * (12 if unit == "year" else 1)
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(now.day, _days_in(year, month))
    return now.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_GRAMMAR: tuple[tuple[re.Pattern[str], Resolver], ...] = (
    (_compile(r"\b(?:today|tonight|yesterday|last night|this (?:morning|afternoon|evening))\b"),
     _day_word),
    (_compile(r"\b(?P<rel>this|last)\s+(?P<unit>week|month|year)\b"), _this_or_last),
    (_compile(rf"\b(?:last|previous)\s+{_NUM}\s+{_UNIT}\b"), _span),
    (_compile(rf"\b{_NUM}\s+{_UNIT}\s+ago\b"), _span),
    (_compile(rf"\b(?:(?P<rel>last|this|next)\s+)?(?P<weekday>{WEEKDAY_NAME}){_PART_OF_DAY}\b"),
     _weekday),
    (_compile(r"\b(?:this\s+past\s+|(?P<rel>this|last|previous)\s+)?weekend\b"), _weekend),
    (_compile(rf"\b{_MONTH}\s+{_DAY}{_YEAR_AFTER}"), _month_day),
    (_compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR_AFTER}"), _month_day),
    (_compile(rf"\b{_MONTH},?\s+(?P<year>\d{{4}})(?!\w)"), _month),
    (_compile(rf"\b{_MONTH}"), _month),
    (_compile(r"(?<![\w/.-])\d{4}-\d{1,2}-\d{1,2}(?![\w/-])"), _iso_date),
    (_compile(r"(?<![\w/.])(?P<first>\d{1,2})(?P<sep>[/.])(?P<second>\d{1,2})(?P=sep)"
              r"(?P<year>\d{4}|\d{2})(?![\w/]|\.\d)"), _numeric_date),
    (_compile(r"(?<![\w$£€/.,])(?P<year>\d{4})(?![\w%/]|[.,-]\d)"), _year),
)  # fmt: skip
