"""Publication dates from the many shapes they come in, as timezone-aware UTC datetimes."""

from __future__ import annotations

import email.utils
import logging
import re
from datetime import UTC, date, datetime, time
from typing import Any

logger = logging.getLogger(__name__)

# Outside this window a "date" is almost surely a parsing accident (an id, a price).
_MIN_YEAR = 1900
_MAX_YEAR = 2100
_MAX_TEXT = 80  # longer strings are not date fields; keep dateparser off them

_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_EPOCH = re.compile(r"-?\d{9,13}(?:\.\d+)?")

# dateparser is the slow, lenient last resort: only absolute dates with a day, month and year,
# never "yesterday" (a stored article's date must not depend on when it was parsed).
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "PREFER_DAY_OF_MONTH": "first",
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}


def parse_date(value: object) -> datetime | None:
    """Read a publication date; None when absent or unreadable (never raises).

    Accepts datetimes, dates, epoch seconds (or milliseconds), `YYYY-MM-DD`, `YYYY/MM/DD`,
    ISO 8601 with or without time and zone, RFC 2822, and other absolute dates dateparser
    knows. Naive values are taken as UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _checked(value)
    if isinstance(value, date):
        return _checked(datetime.combine(value, time(), tzinfo=UTC))
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, str):
        return _from_text(value.strip())
    return None


def _from_text(text: str) -> datetime | None:
    if not text or len(text) > _MAX_TEXT or not any(ch.isdigit() for ch in text):
        return None
    match = _YMD.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        try:
            return _checked(datetime(year, month, day, tzinfo=UTC))
        except ValueError:
            return None
    if _EPOCH.fullmatch(text):
        return _from_epoch(float(text))
    try:
        return _checked(datetime.fromisoformat(text.replace("z", "Z")))
    except ValueError:
        pass
    try:
        return _checked(email.utils.parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    return _with_dateparser(text)


def _with_dateparser(text: str) -> datetime | None:
    import dateparser  # imported late: it loads language data on first use

    try:
        parsed = dateparser.parse(text, settings=_DATEPARSER_SETTINGS)
    except Exception:  # a third-party parser on untrusted text: any failure means "no date"
        logger.debug("dateparser failed on %r", text, exc_info=True)
        return None
    return _checked(parsed) if parsed is not None else None


def _from_epoch(seconds: float) -> datetime | None:
    if abs(seconds) > 1e11:  # milliseconds
        seconds /= 1000.0
    try:
        return _checked(datetime.fromtimestamp(seconds, tz=UTC))
    except (OverflowError, OSError, ValueError):
        return None


def _checked(moment: datetime) -> datetime | None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    if not _MIN_YEAR <= moment.year <= _MAX_YEAR:
        return None
    return moment
