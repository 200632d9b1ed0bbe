"""Small helpers shared by the store modules."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert as generic_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

T = TypeVar("T")

# SQLite allows 32766 bound parameters per statement since 3.32; stay far below any limit.
IN_BATCH = 500


def utc_now() -> datetime:
    return datetime.now(UTC)


def stamp(now: datetime | None) -> datetime:
    """The time to record: `now` as aware UTC, or the current time."""
    return utc_now() if now is None else as_utc(now)


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def start_of_day(now: datetime) -> datetime:
    """Midnight of `now`'s calendar day in `now`'s own timezone (UTC when naive), as UTC."""
    local = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return as_utc(local.replace(hour=0, minute=0, second=0, microsecond=0))


def batched(values: Iterable[T], size: int = IN_BATCH) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def unique_ints(values: Iterable[int]) -> list[int]:
    return sorted({int(v) for v in values})


def insert_or_ignore(
    session: Session, table: Table, values: dict[str, Any], conflict: Sequence[str]
) -> int | None:
    """Insert a row unless it would violate the unique `conflict` columns; the new id or None.

    SQLite and PostgreSQL use ON CONFLICT DO NOTHING, which cannot race. Other databases use
    a SAVEPOINT around a plain insert (pysqlite mishandles savepoints, hence not everywhere).
    """
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        module = sqlite if dialect == "sqlite" else postgresql
        stmt = (
            module.insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(table.c.id)
        )
        return session.execute(stmt).scalar_one_or_none()
    try:
        with session.begin_nested():
            result = session.execute(generic_insert(table).values(**values))
    except sa_exc.IntegrityError:
        return None
    key = result.inserted_primary_key
    return None if key is None else int(key[0])


def insert_or_ignore_many(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], conflict: str
) -> dict[str, int]:
    """Insert rows, skipping those that would violate the unique column `conflict`; the new
    ids by that column's value (skipped rows are absent).

    SQLite and PostgreSQL: one INSERT ... ON CONFLICT DO NOTHING RETURNING over all rows
    (SQLAlchemy's "insertmanyvalues"); rows are matched back by value, not by position, as
    skipped rows return nothing. Elsewhere: `insert_or_ignore` row by row.
    """
    if not rows:
        return {}
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        found: dict[str, int] = {}
        for values in rows:
            new_id = insert_or_ignore(session, table, values, (conflict,))
            if new_id is not None:
                found[values[conflict]] = new_id
        return found
    module = sqlite if dialect == "sqlite" else postgresql
    column = table.c[conflict]
    stmt = (
        module.insert(table)
        .on_conflict_do_nothing(index_elements=[conflict])
        .returning(column, table.c.id)
    )
    return {value: int(new_id) for value, new_id in session.execute(stmt, list(rows))}
