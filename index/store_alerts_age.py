"""When articles were first indexed: the age of an undated article for alerts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.schema import ArticleRow
from index.store_common import as_utc, batched, unique_ints


def indexed_at(*, session: Session, ids: Iterable[int]) -> dict[int, datetime]:
    """Article id -> when it was first stored (aware UTC); ids not stored are left out."""
    found: dict[int, datetime] = {}
    for batch in batched(unique_ints(ids)):
        rows = session.execute(
            select(ArticleRow.id, ArticleRow.created_at).where(ArticleRow.id.in_(batch))
        )
        found.update((int(row_id), as_utc(created)) for row_id, created in rows)
    return found
