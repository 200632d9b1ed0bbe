"""The database schema: SQLAlchemy 2.x declarative models.

ORM rows stay inside `index/store*.py`; everything else sees the frozen dataclasses of
`index/types.py`. Every change here needs an Alembic revision in `index/migrations/versions`
(tests compare this metadata with the migrated database).

Types are chosen to behave the same on SQLite and PostgreSQL: ids are BIGINT on PostgreSQL
and INTEGER (the rowid) on SQLite, Telegram ids are BIGINT (they exceed 32 bits), times are
stored as UTC and always read back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# BIGINT identity on PostgreSQL; on SQLite only INTEGER PRIMARY KEY is the auto-assigned rowid.
IdType = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and read back as an aware UTC datetime.

    Naive values are taken to be UTC already. SQLite keeps no zone, so the UTC wall time is
    stored; PostgreSQL gets `timestamptz`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ix": "ix_%(column_0_label)s",
        }
    )
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime}  # noqa: RUF012


# sqlite_autoincrement: SQLite must never reuse a deleted row's id, chunk ids are vector ids.
_NO_REUSE = {"sqlite_autoincrement": True}


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_source", "source"),
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_content_hash", "content_hash"),
        Index("ix_articles_story_id", "story_id"),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    key: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime | None]
    url: Mapped[str | None] = mapped_column(String(2048))
    language: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[bytes | None] = mapped_column(LargeBinary)
    story_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now)


class ChunkRow(Base):
    __tablename__ = "chunks"
    # The unique (article_id, ordinal) index also serves lookups by article_id.
    __table_args__ = (
        UniqueConstraint("article_id", "ordinal", name="uq_chunks_article_ordinal"),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("articles.id", ondelete="CASCADE", name="fk_chunks_article")
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    embed_text: Mapped[str] = mapped_column(Text)


class UnmatchedArticleRow(Base):
    """An article stored new or with new text whose alerts are still to be matched.

    Written in the transaction that stores the article, deleted in the one that queues
    its alerts: a crash in between leaves the row, and the next run matches the article.
    """

    __tablename__ = "unmatched_articles"

    article_id: Mapped[int] = mapped_column(
        IdType,
        ForeignKey("articles.id", ondelete="CASCADE", name="fk_unmatched_articles_article"),
        primary_key=True,
        autoincrement=False,
    )


class ChatTurnRow(Base):
    __tablename__ = "chat_turns"
    __table_args__ = (
        Index("ix_chat_turns_chat_id", "chat_id", "id"),
        Index("ix_chat_turns_message", "chat_id", "message_id"),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    article_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("articles.id", ondelete="SET NULL", name="fk_chat_turns_article")
    )
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The turn this one continues (a question: the answer it replies to; an answer: its
    # question). No foreign key: pruning old turns just ends a chain there.
    follows_id: Mapped[int | None] = mapped_column(IdType)


class ChatTurnPieceRow(Base):
    """A further Telegram message of a turn sent in several pieces (a long answer, a digest):
    the first is `chat_turns.message_id`, these make a reply to any later piece continue the
    same turn."""

    __tablename__ = "chat_turn_pieces"
    __table_args__ = (Index("ix_chat_turn_pieces_message", "chat_id", "message_id"), _NO_REUSE)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    turn_id: Mapped[int] = mapped_column(
        IdType,
        ForeignKey("chat_turns.id", ondelete="CASCADE", name="fk_chat_turn_pieces_turn"),
        index=True,
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class SourceRow(Base):
    __tablename__ = "sources"
    __table_args__ = (_NO_REUSE,)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(String(2048), unique=True)
    added_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_fetch_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    # Articles the last read gave, new or already indexed (NULL: not known yet).
    last_read: Mapped[int | None] = mapped_column(Integer)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_chat_id", "chat_id"),
        # A unique index rather than a constraint: SQLite adds one without rebuilding the
        # table (a rebuild would drop, and so cascade-delete, the alerts queued for it).
        Index("uq_subscriptions_chat_number", "chat_id", "number", unique=True),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The alert's number in its chat (1, 2, 3...), the one users see and type.
    number: Mapped[int] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(Text)
    must_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    exclude_words: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_hours: Mapped[int | None] = mapped_column(Integer)
    last_digest_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # The forum topic (message_thread_id) it was made in, where its alerts go; NULL: the
    # chat itself (General in a forum).
    thread_id: Mapped[int | None] = mapped_column(BigInteger)


class AlertNumberRow(Base):
    """The last alert number given out in a chat: numbers are never reused, even after the
    alerts holding them are removed."""

    __tablename__ = "alert_numbers"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


_DESTINATION = ("chat_id", "thread_id")


class AlertDeliveryRow(Base):
    __tablename__ = "alert_deliveries"
    __table_args__ = (
        # A destination (a chat, or a forum topic of it) gets a story once, whichever alert
        # matched it, and an article once, even when its story changes: enforced here, so
        # processes queueing at once cannot both queue it. Indexes: no SQLite table rebuild.
        Index("uq_alert_deliveries_chat_thread_story", *_DESTINATION, "story_id", unique=True),
        Index("uq_alert_deliveries_chat_thread_article", *_DESTINATION, "article_id", unique=True),
        Index("ix_alert_deliveries_status", "status", "id"),
        Index("ix_alert_deliveries_subscription_id", "subscription_id"),
        Index("ix_alert_deliveries_article_id", "article_id"),
        Index("ix_alert_deliveries_sent_at", "sent_at"),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        IdType,
        ForeignKey("subscriptions.id", ondelete="CASCADE", name="fk_alert_deliveries_subscription"),
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The forum topic it is for (its subscription's when queued); 0: the chat itself. Not
    # NULL: NULLs never collide in a unique key (SQLite, PostgreSQL < 15).
    thread_id: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    article_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("articles.id", ondelete="CASCADE", name="fk_alert_deliveries_article")
    )
    story_id: Mapped[int] = mapped_column(BigInteger)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None]


class QuestionLogRow(Base):
    __tablename__ = "question_log"
    __table_args__ = (
        Index("ix_question_log_created_at", "created_at"),
        Index("ix_question_log_user_created", "user_id", "created_at"),
        _NO_REUSE,
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class ReindexRunRow(Base):
    __tablename__ = "reindex_runs"
    __table_args__ = (_NO_REUSE,)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utc_now)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
