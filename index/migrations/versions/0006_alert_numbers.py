"""alerts are numbered per chat: a chat's first alert is 1, whatever other chats hold

Until this revision an alert's number was its subscription id, shared by every chat. Alerts
kept keep their numbers (numbers never change, and the buttons of lists already sent carry
them). A chat holding alerts continues after the highest id ever given out, so no number it
may have held before (removed ones included) comes back; any other chat starts at 1.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_numbers",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    # Added NOT NULL with a default, then filled in: SQLite could only make a nullable column
    # NOT NULL by rebuilding the table, and dropping the old one (foreign keys on) would
    # cascade-delete the alerts queued for its subscriptions.
    op.add_column(
        "subscriptions",
        sa.Column("number", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.execute("UPDATE subscriptions SET number = id")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("subscriptions", "number", server_default=None)
    op.execute(
        sa.text(
            "INSERT INTO alert_numbers (chat_id, last_number) "
            "SELECT DISTINCT chat_id, :mark FROM subscriptions"
        ).bindparams(mark=_ids_given_out())
    )
    op.create_index(
        "uq_subscriptions_chat_number", "subscriptions", ["chat_id", "number"], unique=True
    )


def _ids_given_out() -> int:
    """The highest subscription id ever given out, removed subscriptions included."""
    bind = op.get_bind()
    highest = bind.execute(sa.text("SELECT MAX(id) FROM subscriptions")).scalar() or 0
    if bind.dialect.name == "sqlite":  # AUTOINCREMENT keeps its high-water mark here
        seq = "SELECT seq FROM sqlite_sequence WHERE name = 'subscriptions'"
    elif bind.dialect.name == "postgresql":
        name = bind.execute(sa.text("SELECT pg_get_serial_sequence('subscriptions', 'id')"))
        sequence = name.scalar()
        if sequence is None:
            return int(highest)
        seq = f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}"
    else:
        return int(highest)
    return int(max(highest, bind.execute(sa.text(seq)).scalar() or 0))


def downgrade() -> None:
    op.drop_index("uq_subscriptions_chat_number", table_name="subscriptions")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("number")
    op.drop_table("alert_numbers")
