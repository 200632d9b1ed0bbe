"""Engine set-up, migrations and error translation."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.exc import IntegrityError, OperationalError

from index.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    session_scope,
    storage_errors,
    upgrade_database,
)
from index.errors import StorageError
from index.schema import ArticleRow, Base, ChatTurnRow
from tests.conftest import sqlite_url


def test_sqlite_pragmas_and_folder_creation(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'deep' / 'er' / 'news.db'}")
    try:
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
        assert (tmp_path / "deep" / "er" / "news.db").exists()
    finally:
        engine.dispose()


def test_migrations_reach_head_and_are_idempotent(engine: Engine) -> None:
    assert current_revision(engine) == head_revision() == "0008"
    tables_before = set(inspect(engine).get_table_names())
    upgrade_database(engine)
    upgrade_database(engine)
    assert current_revision(engine) == "0008"
    assert set(inspect(engine).get_table_names()) == tables_before
    assert {
        "articles",
        "chunks",
        "chat_turns",
        "alert_deliveries",
        "unmatched_articles",
    } <= tables_before


def test_a_database_from_a_newer_newsbot_is_refused_in_one_line(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StorageError) as caught:
        upgrade_database(engine)
    assert caught.value.user_message == (
        "This database was written by a newer newsbot (schema 0099); update newsbot to use it."
    )
    assert caught.value.detail == (
        "it was written by a newer newsbot (schema 0099); update newsbot to use it"
    )
    assert current_revision(engine) == "0099"  # left as it was


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_empty_database_has_no_revision(tmp_path: Path) -> None:
    engine = make_engine(sqlite_url(tmp_path))
    try:
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def test_timestamps_come_back_aware_utc(session_factory) -> None:
    seoul = timezone(timedelta(hours=9))
    published = datetime(2024, 3, 1, 9, 30, tzinfo=seoul)
    with session_scope(session_factory) as session:
        session.add(ChatTurnRow(chat_id=1, role="user", text="hi", created_at=published))
    with session_factory() as session:
        stored = session.scalars(select(ChatTurnRow.created_at)).one()
        later = session.scalars(
            select(ChatTurnRow.id).where(ChatTurnRow.created_at > datetime(2024, 3, 1, 0, 29))
        ).all()
    assert stored == published
    assert stored.tzinfo is UTC
    assert later  # 00:30 UTC is after 00:29 (naive bounds are taken as UTC)


def test_sqlite_never_reuses_deleted_ids(session_factory) -> None:
    def add(key: str) -> int:
        with session_scope(session_factory) as session:
            row = ArticleRow(key=key, title="t", body="b", content_hash=key)
            session.add(row)
            session.flush()
            return row.id

    first = add("first")
    with session_scope(session_factory) as session:
        session.execute(delete(ArticleRow).where(ArticleRow.id == first))
    assert add("second") > first


def test_session_scope_rolls_back_on_error(session_factory) -> None:
    def fail() -> None:
        with session_scope(session_factory) as session:
            session.add(ChatTurnRow(chat_id=1, role="user", text="lost"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    with session_factory() as session:
        assert session.scalars(select(ChatTurnRow)).all() == []


def test_corrupt_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.db"
    path.write_bytes(b"this is not a database" * 100)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with pytest.raises(StorageError):
            upgrade_database(engine)
    finally:
        engine.dispose()


def test_unreachable_server_is_a_storage_error() -> None:
    pytest.importorskip("psycopg")
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    factory = make_session_factory(engine)
    try:
        with pytest.raises(StorageError), session_scope(factory) as session:
            session.execute(select(1))
    finally:
        engine.dispose()


def test_integrity_errors_are_not_translated(session_factory) -> None:
    def violate() -> None:
        with storage_errors(), session_factory() as session:
            session.add(ChatTurnRow(chat_id=1, role="user", text=None))  # type: ignore[arg-type]
            session.flush()

    with pytest.raises(IntegrityError):
        violate()


def test_locked_database_message() -> None:
    locked = OperationalError("UPDATE x", {}, sqlite3.OperationalError("database is locked"))
    with pytest.raises(StorageError, match="busy") as caught, storage_errors():
        raise locked
    assert caught.value.__cause__ is locked


@pytest.mark.parametrize("url", ["not a url", "nosuchdb://x/y"])
def test_unusable_url_is_a_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match="URL"):
        make_engine(url)


def test_alembic_commands_run_on_their_own_engine(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    try:
        assert current_revision(engine) == head_revision()
        command.downgrade(alembic_config(url), "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
