"""sources record how many articles their last read gave, new or already indexed

A source whose articles were all indexed from elsewhere first added none of its own and
listed as "0 articles", which reads as broken. Sources read before this revision show
nothing new until their next read.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("last_read", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("last_read")
