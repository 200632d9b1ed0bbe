"""unmatched articles: new or updated articles whose alerts are still to be matched

Articles stored before this revision count as matched: the table starts empty.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-20 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here rather than imported: a revision must not change when the models do.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "unmatched_articles",
        sa.Column(
            "article_id",
            ID,
            sa.ForeignKey("articles.id", ondelete="CASCADE", name="fk_unmatched_articles_article"),
            primary_key=True,
            autoincrement=False,
        ),
    )


def downgrade() -> None:
    op.drop_table("unmatched_articles")
