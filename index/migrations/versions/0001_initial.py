"""initial schema: articles, chunks, chat history, sources, alerts, logs

Revision ID: 0001
Revises:
Create Date: 2024-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here rather than imported: a revision must not change when the models do.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NO_REUSE = {"sqlite_autoincrement": True}


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _pk() -> sa.Column:
    return sa.Column("id", ID, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        _pk(),
        sa.Column("key", sa.String(2048), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(200), nullable=True),
        _time("published_at", nullable=True),
        sa.Column("url", sa.String(2048), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("content_hash", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=True),
        sa.Column("story_id", sa.BigInteger(), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        sa.UniqueConstraint("key", name="uq_articles_key"),
        **NO_REUSE,
    )
    op.create_index("ix_articles_source", "articles", ["source"])
    op.create_index("ix_articles_published_at", "articles", ["published_at"])
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_story_id", "articles", ["story_id"])

    op.create_table(
        "chunks",
        _pk(),
        sa.Column(
            "article_id",
            ID,
            sa.ForeignKey("articles.id", ondelete="CASCADE", name="fk_chunks_article"),
            nullable=False,
        ),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("embed_text", sa.Text(), nullable=False),
        sa.UniqueConstraint("article_id", "ordinal", name="uq_chunks_article_ordinal"),
        **NO_REUSE,
    )

    op.create_table(
        "chat_turns",
        _pk(),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "article_id",
            ID,
            sa.ForeignKey("articles.id", ondelete="SET NULL", name="fk_chat_turns_article"),
            nullable=True,
        ),
        _time("created_at"),
        **NO_REUSE,
    )
    op.create_index("ix_chat_turns_chat_id", "chat_turns", ["chat_id", "id"])
    op.create_index("ix_chat_turns_message", "chat_turns", ["chat_id", "message_id"])

    op.create_table(
        "sources",
        _pk(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("location", sa.String(2048), nullable=False),
        _time("added_at"),
        _time("last_fetch_at", nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(512), nullable=True),
        sa.Column("last_modified", sa.String(128), nullable=True),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("location", name="uq_sources_location"),
        **NO_REUSE,
    )

    op.create_table(
        "subscriptions",
        _pk(),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("must_words", sa.JSON(), nullable=False),
        sa.Column("exclude_words", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("digest_hours", sa.Integer(), nullable=True),
        _time("last_digest_at", nullable=True),
        _time("created_at"),
        **NO_REUSE,
    )
    op.create_index("ix_subscriptions_chat_id", "subscriptions", ["chat_id"])

    op.create_table(
        "alert_deliveries",
        _pk(),
        sa.Column(
            "subscription_id",
            ID,
            sa.ForeignKey(
                "subscriptions.id", ondelete="CASCADE", name="fk_alert_deliveries_subscription"
            ),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "article_id",
            ID,
            sa.ForeignKey("articles.id", ondelete="CASCADE", name="fk_alert_deliveries_article"),
            nullable=False,
        ),
        sa.Column("story_id", sa.BigInteger(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        _time("claimed_at", nullable=True),
        _time("created_at"),
        _time("sent_at", nullable=True),
        sa.UniqueConstraint("chat_id", "story_id", name="uq_alert_deliveries_chat_story"),
        **NO_REUSE,
    )
    op.create_index("ix_alert_deliveries_status", "alert_deliveries", ["status", "id"])
    op.create_index(
        "ix_alert_deliveries_subscription_id", "alert_deliveries", ["subscription_id"]
    )
    op.create_index("ix_alert_deliveries_article_id", "alert_deliveries", ["article_id"])
    op.create_index("ix_alert_deliveries_sent_at", "alert_deliveries", ["sent_at"])

    op.create_table(
        "question_log",
        _pk(),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
        _time("created_at"),
        **NO_REUSE,
    )
    op.create_index("ix_question_log_created_at", "question_log", ["created_at"])
    op.create_index("ix_question_log_user_created", "question_log", ["user_id", "created_at"])

    op.create_table(
        "reindex_runs",
        _pk(),
        _time("started_at"),
        _time("finished_at", nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("full", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        **NO_REUSE,
    )


def downgrade() -> None:
    for table in (
        "reindex_runs",
        "question_log",
        "alert_deliveries",
        "subscriptions",
        "sources",
        "chat_turns",
        "chunks",
        "articles",
    ):
        op.drop_table(table)
