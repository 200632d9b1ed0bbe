"""Engine, sessions and migrations: the database as a resource.

SQLite (the default) runs in WAL mode so readers never wait for the writer; any other
SQLAlchemy URL (`postgresql+psycopg://...`) works as it is. Database failures reach callers
as `StorageError` through `session_scope` / `storage_errors`, the one boundary where they are
translated.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from index.errors import StorageError, os_reason

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant works: it only has to be the same for every process migrating this database.
_MIGRATION_LOCK_KEY = 0x6E657773  # "news"

_SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=5000",  # first, so switching to WAL waits for a busy file
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)


def make_engine(url: str) -> Engine:
    """An engine for `url`. SQLite gets its folder created and the WAL pragmas on connect."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(url, pool_pre_ping=True)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        # A malformed URL, an unknown dialect or a missing driver (psycopg): configuration.
        raise StorageError(
            "The database URL is not usable; check its form and that its driver is installed.",
            detail=_unusable_url_reason(err),
        ) from err

    database = parsed.database or ""
    if database and database != ":memory:" and not parsed.query.get("uri"):
        folder = Path(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StorageError(
                f"Cannot create the folder for the database ({err.strerror}).",
                detail=f"cannot create the folder {err.filename or folder} ({err.strerror})",
            ) from err
    engine = create_engine(url)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    return engine


def _unusable_url_reason(err: Exception) -> str:
    # Not str(err): the URL parser's message repeats the whole URL, password included.
    if isinstance(err, ImportError):
        return f"its driver is not installed (no module {err.name!r})"
    if isinstance(err, exc.NoSuchModuleError):
        return "unknown kind of database (the part before ://)"
    return "not a database URL (e.g. postgresql+psycopg://user:password@host/db)"


def _driver_reason(err: exc.DBAPIError) -> str | None:
    """The first line of the driver's own message ("Connection refused", "unable to open
    database file"), which names neither the statement nor its parameters."""
    lines = str(err.orig).strip().splitlines()
    return lines[0][:300] if lines else None


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions whose loaded values stay readable after commit (results are dataclasses)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def storage_errors() -> Iterator[None]:
    """Turn database failures (locked, unreachable, corrupt) into `StorageError`.

    Integrity and programming errors pass through: they are bugs, not outages.
    """
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError) as err:
        raise _storage_error(err) from err
    except exc.TimeoutError as err:  # connection pool exhausted
        raise StorageError(detail="every connection of the pool is in use") from err
    except exc.DatabaseError as err:
        if type(err) is not exc.DatabaseError:  # IntegrityError, ProgrammingError, ...
            raise
        raise _storage_error(err) from err  # e.g. "file is not a database"


_DISK_FULL = ("disk is full", "no space left on device", "disk full")


def _storage_error(err: exc.DBAPIError) -> StorageError:
    """The driver's failure as StorageError: a busy database and a full disk say so (a
    short note a chat user may see); the driver's reason is kept as `detail` for the
    operator (the command line's line, the bot's outage warning)."""
    lowered = str(err.orig).lower()
    message = None
    if any(words in lowered for words in _DISK_FULL):
        message = "The article store cannot be written right now: the disk is full."
    elif "locked" in lowered:
        message = "The article store is busy right now. Please try again in a moment."
    return StorageError(message, detail=_driver_reason(err))


def sqlite_access_problem(url: str) -> str | None:
    """Why SQLite cannot open the file of `url` for writing, in the system's words (the
    file, or its folder where the journal files go, is read-only, not permitted, not a
    file); None when both can be written, or for another kind of database."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        return None
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    path = Path(database)
    try:
        if path.exists():
            with path.open("r+b"):  # opened, not changed
                pass
    except OSError as err:
        return os_reason(err)
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as err:
        return f"its folder cannot be written: {os_reason(err)}"
    return None


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with storage_errors(), factory() as session, session.begin():
        yield session


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration for the packaged migrations (no alembic.ini needed).

    With `url`, alembic commands open their own engine, e.g. to write a new revision:
    `alembic.command.revision(alembic_config(url), message="...", autogenerate=True)`.
    """
    config = Config()
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # Config values go through ConfigParser interpolation: a "%" in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def upgrade_database(engine: Engine) -> None:
    """Apply every pending migration (Alembic "upgrade head"). A no-op when up to date.

    The whole upgrade is one transaction holding a lock, so processes starting together
    (bot and indexer) never run the same migration twice.
    """
    config = alembic_config()
    with storage_errors(), engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # Take the write lock now; SQLite DDL is transactional, so this is all-or-nothing.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        _refuse_a_newer_schema(connection, config)
        command.upgrade(config, "head")
        connection.commit()
    logger.debug("database schema is at %s", current_revision(engine))


def _refuse_a_newer_schema(connection: Connection, config: Config) -> None:
    """A database migrated by a newer newsbot is at a revision this code does not know:
    say so, rather than let Alembic fail with "Can't locate revision"."""
    current = MigrationContext.configure(connection).get_current_revision()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if current is not None and current not in known:
        newer = f"written by a newer newsbot (schema {current}); update newsbot to use it"
        raise StorageError(f"This database was {newer}.", detail=f"it was {newer}")


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    with storage_errors(), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
