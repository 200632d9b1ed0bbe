"""Which new articles are young enough to alert: only news, never a backfilled archive.

An article published more than `max_age` before the match (an undated one: indexed) is
matched against nothing; the arithmetic is `retrieval/alert_age.py`, the indexing times
of undated articles come from the store.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from index.store_alerts_age import indexed_at
from index.types import StoredArticle
from retrieval.alert_age import fresh_articles

log = logging.getLogger(__name__)

MAX_AGE = timedelta(hours=72)  # ALERT_MAX_AGE_HOURS


def fresh_only(
    session: Session,
    articles: dict[int, StoredArticle],
    *,
    now: datetime,
    max_age: timedelta | None,
) -> dict[int, StoredArticle]:
    """The articles young enough to alert now (see `retrieval/alert_age.py`)."""
    if max_age is None:
        return articles
    undated = [a for a, article in articles.items() if article.published_at is None]
    indexed = indexed_at(session=session, ids=undated) if undated else {}
    published = {a: article.published_at for a, article in articles.items()}
    keep = fresh_articles(published, indexed, now=now, max_age=max_age)
    if len(keep) < len(articles):
        log.info("%d of %d new articles too old to alert", len(articles) - len(keep), len(articles))
    return {a: article for a, article in articles.items() if a in keep}


def max_age(hours: float) -> timedelta | None:
    """ALERT_MAX_AGE_HOURS as the matcher takes it: 0 (or more than a timedelta holds,
    such as "inf") is no limit."""
    try:
        return timedelta(hours=hours) if hours > 0 else None
    except OverflowError:
        return None
