"""Operations records: registered sources, the question log, re-index runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from index.errors import BadInputError
from index.identity import normalize_url
from index.schema import QuestionLogRow, ReindexRunRow, SourceRow
from index.store_common import as_utc, insert_or_ignore, stamp, start_of_day
from index.types import ReindexRun, SourceRecord

SOURCE_KINDS = ("feed", "page", "folder")
RUN_STATUSES = ("running", "done", "failed")


# --- sources -------------------------------------------------------------------------------


def _to_source(row: SourceRow) -> SourceRecord:
    return SourceRecord(
        id=row.id,
        kind=row.kind,
        location=row.location,
        added_at=row.added_at,
        last_fetch_at=row.last_fetch_at,
        last_error=row.last_error,
        etag=row.etag,
        last_modified=row.last_modified,
        article_count=row.article_count,
        last_read=row.last_read,
    )


def _source_row(session: Session, source_id: int) -> SourceRow:
    row = session.get(SourceRow, source_id)
    if row is None:
        raise BadInputError(f"There is no source #{source_id}. /sources lists them.")
    return row


def add_source(
    *, session: Session, kind: str, location: str, now: datetime | None = None
) -> SourceRecord:
    """Register a source; a location that is already registered is a BadInputError.

    Web addresses are compared as articles' URLs are (`normalize_url`): another spelling of
    a registered address (scheme or host case, "www.", a tracking parameter, a trailing
    slash) is the same source. The location is stored as given: it is what gets fetched.
    """
    if kind not in SOURCE_KINDS:
        raise BadInputError(f"A source is a feed, a page or a folder, not {kind!r}.")
    location = location.strip()
    if not location:
        raise BadInputError("Give the address (or folder) of the source to add.")
    same = find_source(session=session, location=location)
    if same is not None:
        raise BadInputError(already_registered(location, same))
    new_id = insert_or_ignore(
        session,
        SourceRow.__table__,
        {"kind": kind, "location": location, "added_at": stamp(now), "article_count": 0},
        conflict=("location",),
    )
    if new_id is None:
        raise BadInputError(f"{location} is already a source.")
    return _to_source(_source_row(session, new_id))


def find_source(*, session: Session, location: str) -> SourceRecord | None:
    """The registered source at `location`, web addresses compared after `normalize_url`."""
    location = location.strip()
    if not _is_web(location):
        row = session.scalars(select(SourceRow).where(SourceRow.location == location)).first()
        return None if row is None else _to_source(row)
    wanted = normalize_url(location)
    # Sources are few (an admin adds them one by one): comparing them all here is cheap.
    for row in session.scalars(select(SourceRow).where(SourceRow.kind != "folder")):
        if normalize_url(row.location) == wanted:
            return _to_source(row)
    return None


def already_registered(location: str, same: SourceRecord) -> str:
    """The refusal to add `location`, which is `same` source (safe to show an admin)."""
    if same.location == location:
        return f"{location} is already a source."
    return f"{location} is already a source: #{same.id}, {same.location}."


def _is_web(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def get_source(*, session: Session, source_id: int) -> SourceRecord:
    return _to_source(_source_row(session, source_id))


def list_sources(*, session: Session, kind: str | None = None) -> list[SourceRecord]:
    stmt = select(SourceRow).order_by(SourceRow.id)
    if kind is not None:
        stmt = stmt.where(SourceRow.kind == kind)
    return [_to_source(row) for row in session.scalars(stmt)]


def remove_source(*, session: Session, source_id: int) -> SourceRecord:
    """Unregister a source (its articles stay); returns what was removed."""
    row = _source_row(session, source_id)
    removed = _to_source(row)
    session.delete(row)
    session.flush()
    return removed


def record_fetch(
    *,
    session: Session,
    source_id: int,
    fetched_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    error: str | None = None,
    new_articles: int = 0,
    read_articles: int | None = None,
) -> SourceRecord:
    """Record one fetch of a source. On error the validators of the last success are kept.

    `read_articles` is how many articles a read gave, new or already indexed (None for a
    fetch that read nothing: failed, or not modified, which keeps the last count)."""
    row = _source_row(session, source_id)
    row.last_fetch_at = as_utc(fetched_at)
    row.last_error = error
    if error is None:
        row.etag = etag
        row.last_modified = last_modified
    row.article_count += new_articles
    if read_articles is not None:
        row.last_read = read_articles
    session.flush()
    return _to_source(row)


# --- question log --------------------------------------------------------------------------


def log_question(
    *,
    session: Session,
    chat_id: int,
    user_id: int | None,
    mode: str,
    now: datetime | None = None,
) -> None:
    """Log one answered question; `mode` is "llm", "extractive" or "not_found"."""
    session.add(
        QuestionLogRow(chat_id=chat_id, user_id=user_id, mode=str(mode), created_at=stamp(now))
    )
    session.flush()


def questions_today(*, session: Session, now: datetime) -> dict[str, int]:
    """Questions since midnight of `now`'s day (in `now`'s timezone), by answer mode."""
    rows = session.execute(
        select(QuestionLogRow.mode, func.count(QuestionLogRow.id))
        .where(QuestionLogRow.created_at >= start_of_day(now))
        .group_by(QuestionLogRow.mode)
    ).all()
    return {str(mode): int(count) for mode, count in rows}


def questions_by_user_since(*, session: Session, user_id: int, since: datetime) -> int:
    """How many questions this user asked at or after `since` (for the rate limit)."""
    count = session.scalar(
        select(func.count(QuestionLogRow.id)).where(
            QuestionLogRow.user_id == user_id, QuestionLogRow.created_at >= since
        )
    )
    return count or 0


# --- re-index runs -------------------------------------------------------------------------


def _to_run(row: ReindexRunRow) -> ReindexRun:
    return ReindexRun(
        id=row.id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        full=row.full,
        summary=dict(row.summary or {}),
        error=row.error,
    )


def start_reindex_run(*, session: Session, full: bool, now: datetime | None = None) -> ReindexRun:
    row = ReindexRunRow(started_at=stamp(now), status="running", full=full, summary={})
    session.add(row)
    session.flush()
    return _to_run(row)


def finish_reindex_run(
    *,
    session: Session,
    run_id: int,
    status: str,
    summary: dict[str, Any] | None = None,
    error: str | None = None,
    now: datetime | None = None,
) -> ReindexRun:
    """Close a run as "done" or "failed" with its summary (JSON-serialisable) or error."""
    if status not in RUN_STATUSES[1:]:
        raise ValueError(f"a run finishes as 'done' or 'failed', not {status!r}")
    row = session.get(ReindexRunRow, run_id)
    if row is None:
        raise ValueError(f"no re-index run {run_id}")
    row.status = status
    row.finished_at = stamp(now)
    row.summary = dict(summary or {})
    row.error = error
    session.flush()
    return _to_run(row)


def last_reindex_run(*, session: Session) -> ReindexRun | None:
    """The most recently started run, finished or not."""
    row = session.scalars(select(ReindexRunRow).order_by(ReindexRunRow.id.desc()).limit(1)).first()
    return None if row is None else _to_run(row)


def last_done_reindex_run(*, session: Session) -> ReindexRun | None:
    """The most recent run that finished as "done" (its summary is complete)."""
    row = session.scalars(
        select(ReindexRunRow)
        .where(ReindexRunRow.status == "done")
        .order_by(ReindexRunRow.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _to_run(row)
