"""Stored articles looked up in batches by identity key or content hash (ids and keys only).

The ingest's duplicate checks (`index/ingest_batch.py`) and the refresh's owners of a
page's text (`index/refresh.py`): a few statements per batch, no ORM rows loaded.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from index.schema import ArticleRow
from index.store_common import batched

_ARTICLES = ArticleRow.__table__


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
    found: dict[str, set[int]] = {}
    for batch in batched(sorted(set(hashes))):
        rows = session.execute(
            select(_ARTICLES.c.content_hash, _ARTICLES.c.id).where(
                _ARTICLES.c.content_hash.in_(batch)
            )
        )
        for stored_hash, article_id in rows:
            found.setdefault(stored_hash, set()).add(article_id)
    return found


def keys_by_content_hash(*, session: Session, hashes: Iterable[str]) -> dict[str, set[str]]:
    """Identity keys of the stored articles whose content hash is among `hashes`, by hash."""
    found: dict[str, set[str]] = {}
    for batch in batched(sorted(set(hashes))):
        rows = session.execute(
            select(_ARTICLES.c.content_hash, _ARTICLES.c.key).where(
                _ARTICLES.c.content_hash.in_(batch)
            )
        )
        for stored_hash, key in rows:
            found.setdefault(stored_hash, set()).add(key)
    return found
