"""Stored articles looked up in batches by identity key or content hash (ids and keys only).

The ingest's duplicate checks (`index/ingest_batch.py`) and the refresh's owners of a
page's text (`index/refresh.py`): a few statements per batch, no ORM rows loaded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from index.schema import ArticleRow
from index.store_common import batched

_ARTICLES = ArticleRow.__table__
T = TypeVar("T")


def ids_by_key(*, session: Session, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """(id, content hash) of the stored articles among `keys`, by key."""
    found: dict[str, tuple[int, str]] = {}
    for batch in batched(sorted(set(keys))):
        rows = session.execute(
            select(_ARTICLES.c.key, _ARTICLES.c.id, _ARTICLES.c.content_hash).where(
                _ARTICLES.c.key.in_(batch)
            )
        )
        for key, article_id, stored_hash in rows:
            found[key] = (article_id, stored_hash)
    return found


def ids_by_content_hash(*, session: Session, hashes: Iterable[str]) -> dict[str, set[int]]:
    """Ids of the stored articles whose content hash is among `hashes`, by hash."""
    return _by_content_hash(session, hashes, _ARTICLES.c.id)


def keys_by_content_hash(*, session: Session, hashes: Iterable[str]) -> dict[str, set[str]]:
    """Identity keys of the stored articles whose content hash is among `hashes`, by hash."""
    return _by_content_hash(session, hashes, _ARTICLES.c.key)


def _by_content_hash(
    session: Session, hashes: Iterable[str], column: ColumnElement[T]
) -> dict[str, set[T]]:
    found: dict[str, set[T]] = {}
    for batch in batched(sorted(set(hashes))):
        rows = session.execute(
            select(_ARTICLES.c.content_hash, column).where(_ARTICLES.c.content_hash.in_(batch))
        )
        for stored_hash, value in rows:
            found.setdefault(stored_hash, set()).add(value)
    return found
