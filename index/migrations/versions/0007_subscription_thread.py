"""subscriptions remember the forum topic they were made in, and alerts go there

Until this revision an alert subscribed inside a forum topic was sent to the forum's General
topic. Alerts kept have no topic (NULL), and go where they went before: the chat itself.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch: rebuilding the table on SQLite (foreign keys on) would
    # cascade-delete the alerts queued for its subscriptions.
    op.add_column("subscriptions", sa.Column("thread_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("thread_id")
