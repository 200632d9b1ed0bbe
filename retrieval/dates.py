"""Date phrases in a question ("yesterday", "last week", "in October") turned into a range.

`retrieval/date_phrases.py` finds and resolves the phrases; this module decides which of
them are really dates in context ("in May" is, "May Russia win?" and "the Jan. 6 riot" are
not) and turns a resolved date plus its period (day, week, month, year) into a time range
in the asker's timezone, returned in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from index.errors import BadInputError
from retrieval.date_phrases import MONTH_NAME, NUMBER, UNIT, WEEKDAY_NAME, find_date_phrases
from retrieval.today_in_names import today_ends_a_name
from retrieval.types import DateRange

_MAX_CHARS = 1000  # questions are short; a longer text is no question
_ONE_US = timedelta(microseconds=1)

_PREP = (
    r"since|after|before|until|till|from|in|on|during|over|within|of|by|through|throughout"
    r"|to|and|or|between"
)
_MOD = r"early|mid|late|earlier|later"
# Words that may stand before a phrase found ("since" Monday, "the past" 3 days).
_PREFIX = re.compile(
    rf"(?:\b(?:{_PREP})\s+)?(?:\bthe\s+)?(?:\b(?:{_MOD})[\s-]+)?(?:\b(?:last|past|previous)\s+)?$",
    re.IGNORECASE,
)
_LEAD = re.compile(
    rf"^(?:(?P<prep>{_PREP})\s+)?(?:(?P<the>the)\s+)?(?:(?:{_MOD})[\s-]+)?(?P<core>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "past week" is read as "last week", and "yesterday's" as "yesterday": both rewritten in a
# copy of the same length, so offsets in the copy are offsets in the question.
_PAST = re.compile(rf"\bpast(?=\s+(?:\S+\s+)?{UNIT}\b)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")

_DAY_WORD = re.compile(r"today|tonight|yesterday|last night|this (?:morning|afternoon|evening)")
_THIS = re.compile(r"this (?:week|month|year)")
_LAST_PERIOD = re.compile(r"last (?P<unit>week|month|year)")
_SPAN = re.compile(rf"(?:last|past|previous) {NUMBER} {UNIT}")
_AGO = re.compile(rf"{NUMBER} {UNIT} ago(?: today)?")
_WEEKDAY_RE = re.compile(
    rf"(?P<rel>last |this )?{WEEKDAY_NAME}(?: (?:morning|afternoon|evening|night))?"
)
_WEEKEND = re.compile(r"(?:this past |this |last |past |previous )?weekend")
_MONTH_DATE = re.compile(rf"(?:{MONTH_NAME}|\d{{1,4}}(?:st|nd|rd|th)?|of|the|,|\s)+")
_HAS_MONTH = re.compile(rf"\b{MONTH_NAME}(?!\w)")
_NUMERIC_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
_YEAR = re.compile(r"\d{4}")
# A comparison word up to two words before a phrase ("to" may be the phrase's own
# preposition): "than they were a year ago", "compared with last month", "versus 2019".
_BASELINE = re.compile(
    r"\b(?:than|compared(?:\s+(?:to|with))?|versus|vs\.?)\s+(?:\S+\s+){0,2}$", re.IGNORECASE
)
_CONNECTORS = frozenset({"and", "or", "to", "through", "until", "till"})


@dataclass(frozen=True)
class _Context:
    masked: str  # the question with "past" -> "last" and possessives blanked, same offsets
    local_now: datetime  # the asker's wall-clock time, naive
    now_utc: datetime
    zone: ZoneInfo


@dataclass(frozen=True)
class _Match:
    start: int  # span in the question to remove, prefix words included
    end: int
    range_: tuple[datetime | None, datetime | None]  # aware UTC, inclusive


def date_range_from_question(
    question: str, *, now: datetime, timezone: str = "UTC"
) -> tuple[DateRange | None, str]:
    """The date range a question asks about, and the question without the date phrase
    (the question itself when nothing else is left: "yesterday?").

    Calendar periods ("yesterday", "on June 12", "in October", "in 2021") run from local
    midnight to local midnight in `timezone`, and one still under way ("today", "this
    week", "this month", "in 2026" said in 2026) ends at `now`; "last week" and "the past
    3 days" are the span before `now`. Several phrases give the range covering them all.
    """
    date_range, rest = split_date_phrases(question, now=now, timezone=timezone)
    return date_range, rest or question


def split_date_phrases(
    question: str, *, now: datetime, timezone: str = "UTC"
) -> tuple[DateRange | None, str]:
    """`date_range_from_question`, but the rest is "" when the question held nothing but
    date phrases and punctuation, so callers can tell that nothing else was asked."""
    zone = _zone(timezone)
    now_utc = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    text = question[:_MAX_CHARS]
    context = _Context(
        masked=_POSSESSIVE.sub("  ", _PAST.sub(_last_like, text)),
        local_now=now_utc.astimezone(zone).replace(tzinfo=None),
        now_utc=now_utc,
        zone=zone,
    )
    matches: list[_Match] = []
    for phrase in find_date_phrases(context.masked, context.local_now):
        if today_ends_a_name(text, phrase.start, phrase.end):
            continue
        match = _interpret(
            context, phrase.start, phrase.end, phrase.when, phrase.period,
            after_match=bool(matches),
        )  # fmt: skip
        if match is not None:
            matches.append(match)
    if not matches:
        return None, question
    starts = [m.range_[0] for m in matches]
    ends = [m.range_[1] for m in matches]
    date_range = DateRange(
        start=None if None in starts else min(s for s in starts if s is not None),
        end=None if None in ends else max(e for e in ends if e is not None),
    )
    spans = [(m.start, m.end + _possessive_length(question, m.end)) for m in matches]
    return date_range, _remove_spans(question, spans)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadInputError(f"Unknown timezone: {name[:60]}") from exc


def _last_like(match: re.Match[str]) -> str:
    word = match.group(0)
    return "Last" if word[0].isupper() else "last"


def _interpret(
    context: _Context, start: int, end: int, when: datetime, period: str, *, after_match: bool
) -> _Match | None:
    """Accept or reject one phrase found; an accepted one becomes a UTC range."""
    masked, zone, now_utc = context.masked, context.zone, context.now_utc
    end = start + len(masked[start:end].rstrip("?!.,;:"))  # "in Oct." keeps its full stop
    start = _PREFIX.search(masked, 0, start).start()  # type: ignore[union-attr]
    if _BASELINE.search(masked, 0, start):
        return None  # "higher than a year ago": a point of comparison, not the news' time
    lead = _LEAD.match(masked[start:end])
    assert lead is not None  # the pattern matches any text
    prep = (lead.group("prep") or "").lower()
    has_the = lead.group("the") is not None
    core = " ".join(lead.group("core").lower().replace(",", " , ").split()).replace(" ,", ",")
    core = core.strip(" ,.?!")
    if prep in _CONNECTORS and after_match:
        prep = "in"  # "from October to November", "on Monday and Tuesday"

    if _is_span(core, has_the):
        # The span before now: "last week", "the past month", "the last 3 days".
        return _Match(start=start, end=end, range_=(_to_utc(when, zone), now_utc))
    bounds = _calendar_period(core, prep, has_the, when, period, after_match=after_match)
    if bounds is None:
        return None
    first_local, after_local = _with_prep(bounds, prep)
    first = None if first_local is None else _to_utc(first_local, zone)
    last = None if after_local is None else _to_utc(after_local, zone) - _ONE_US
    if first is not None and first > now_utc:
        return None  # a future period cannot hold published news ("plans for 2030")
    if last is not None and last > now_utc:
        last = now_utc  # a period still under way ("this week") ends now: no news after it
    return _Match(start=start, end=end, range_=(first, last))


def _calendar_period(
    core: str, prep: str, has_the: bool, when: datetime, period: str, *, after_match: bool
) -> tuple[datetime, datetime] | None:
    """The local calendar period a phrase names, or None when it is not a date after all."""
    if _LAST_PERIOD.fullmatch(core) or _THIS.fullmatch(core) or _AGO.fullmatch(core):
        return _period(when, period)
    if _DAY_WORD.fullmatch(core):
        return _period(when, "day")
    if _WEEKEND.fullmatch(core):
        # "over the weekend", "this weekend"; not "opening weekend" nor "weekend sales".
        return _period(when, "weekend") if prep or has_the or core != "weekend" else None
    if m := _WEEKDAY_RE.fullmatch(core):
        return _period(when, "day") if prep or m.group("rel") or after_match else None
    if _HAS_MONTH.search(core) and _MONTH_DATE.fullmatch(core):
        # A bare month name is too often a word ("May Russia win?", "March Madness"), and
        # "the Jan. 6 riot" names an event.
        dated = any(c.isdigit() for c in core) and not has_the
        return _period(when, period) if prep or dated else None
    if _NUMERIC_DATE.fullmatch(core):
        return _period(when, "day")
    if _YEAR.fullmatch(core) and prep and not has_the:
        return _period(when, "year")  # "in 2021", not "the 2020 election" nor "iPhone 2024"
    return None


def _is_span(core: str, has_the: bool) -> bool:
    m = _LAST_PERIOD.fullmatch(core)
    return bool(_SPAN.fullmatch(core) or (m and (m.group("unit") == "week" or has_the)))


def _period(when: datetime, period: str) -> tuple[datetime, datetime]:
    """Local [start, end) of the calendar day, weekend, week, month or year holding `when`
    (a weekend's `when` is its Saturday)."""
    day = datetime(when.year, when.month, when.day)
    if period == "weekend":
        return day, day + timedelta(days=2)
    if period == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=7)
    if period == "month":
        first = day.replace(day=1)
        nxt = first.replace(year=first.year + 1, month=1) if first.month == 12 else None
        return first, nxt or first.replace(month=first.month + 1)
    if period == "year":
        return datetime(when.year, 1, 1), datetime(when.year + 1, 1, 1)
    return day, day + timedelta(days=1)  # day, and times of day


def _with_prep(
    bounds: tuple[datetime, datetime], prep: str
) -> tuple[datetime | None, datetime | None]:
    first, after = bounds
    if prep == "since":
        return first, None
    if prep == "after":
        return after, None
    if prep == "before":
        return None, first
    if prep in {"until", "till", "by"}:
        return None, after
    return first, after


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


def _possessive_length(question: str, end: int) -> int:
    match = _POSSESSIVE.match(question, end)
    return 0 if match is None else len(match.group(0))


def _remove_spans(question: str, spans: list[tuple[int, int]]) -> str:
    """The question without the date phrases, tidied ("" if no word is left)."""
    pieces, cursor = [], 0
    for start, end in sorted(spans):
        pieces.append(question[cursor:start])
        cursor = max(cursor, end)
    pieces.append(question[cursor:])
    return tidy_question("".join(pieces))


def tidy_question(text: str) -> str:
    """Whitespace and punctuation left tidy after cutting phrases out; "" if no word is left."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([?.!,;:])", r"\1", text)
    text = re.sub(r"[,;:]+([?.!,;:])", r"\1", text).strip(" ,;:")
    return text if re.search(r"\w", text) else ""


def describe_range(date_range: DateRange, timezone: str = "UTC") -> str:
    """A date range in words, by local calendar day: "from 29 Nov 2026", "from 23 Nov 2026
    to 30 Nov 2026", "since 1 Oct 2026", "until 1 Oct 2026", "from any time"."""
    zone = _zone(timezone)
    first = None if date_range.start is None else _day(date_range.start, zone)
    last = None if date_range.end is None else _day(date_range.end, zone)
    if first and last:
        return f"from {first}" if first == last else f"from {first} to {last}"
    if first:
        return f"since {first}"
    if last:
        return f"until {last}"
    return "from any time"


def _day(moment: datetime, zone: ZoneInfo) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    return f"{local.day} {local:%b %Y}"
