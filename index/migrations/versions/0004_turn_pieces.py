"""chat turn pieces: every message of a turn sent in several pieces leads back to the turn

A long answer (or a digest) goes out as several Telegram messages; until this revision only
one of them was recorded, so a reply to another piece started a new conversation. Turns
stored before this revision keep the one message they recorded: the table starts empty.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here rather than imported: a revision must not change when the models do.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chat_turn_pieces",
        sa.Column("id", ID, primary_key=True),
        sa.Column(
            "turn_id",
            ID,
            sa.ForeignKey("chat_turns.id", ondelete="CASCADE", name="fk_chat_turn_pieces_turn"),
            nullable=False,
        ),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_chat_turn_pieces_turn_id", "chat_turn_pieces", ["turn_id"])
    op.create_index("ix_chat_turn_pieces_message", "chat_turn_pieces", ["chat_id", "message_id"])


def downgrade() -> None:
    op.drop_table("chat_turn_pieces")
