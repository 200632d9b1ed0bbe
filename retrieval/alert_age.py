"""Which new articles are news: old ones (a backfilled archive) queue no alert (pure).

An article counts from its publication date; an undated one from when it was indexed. It
may alert while that time is at most `max_age` before the match; `None` means no limit. A
date in the future (a wrong clock or time zone at the outlet) is not old.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def fresh_articles(
    published: Mapping[int, datetime | None],
    indexed: Mapping[int, datetime],
    *,
    now: datetime,
    max_age: timedelta | None,
) -> set[int]:
    """The ids of `published` (article id -> publication date or None) young enough to
    alert at `now`; an undated article not in `indexed` counts as indexed now."""
    if max_age is None:
        return set(published)
    try:
        oldest = _aware(now) - max_age
    except OverflowError:  # a limit reaching back past the year 1: no limit
        return set(published)
    fresh = set()
    for article_id, when in published.items():
        moment = when if when is not None else indexed.get(article_id, now)
        if _aware(moment) >= oldest:
            fresh.add(article_id)
    return fresh
