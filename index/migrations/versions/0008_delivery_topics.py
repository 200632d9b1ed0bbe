"""alerts are "once per story" per forum topic, and "one article per chat" is a unique key

Until this revision a delivery was unique on (chat, story): two topics of one forum whose
alerts matched one article shared it, and only one topic got it. A delivery now records its
destination's topic (`thread_id`, its subscription's, 0 for the chat itself) and is unique
on (chat, topic, story) and on (chat, topic, article): a plain chat behaves as before, each
topic gets each story once, and two processes queueing one article under two stories at
once cannot both queue it (the second insert is refused by the database, not by a read).

`thread_id` is NOT NULL with 0 for "no topic" rather than NULL: NULLs never collide in a
unique key on SQLite and on PostgreSQL before 15, so the chat itself would lose both rules.

Upgrade: every delivery, queued, claimed, sent or folded, is kept with its id, except
copies of one article in one destination (older code could write them when a teaser changed
story, or when two processes raced): of each set of copies the one sent is kept (else the
one being sent, else the one still queued, else the earliest) and the others are deleted.
On SQLite dropping the old (chat, story) constraint rebuilds alert_deliveries; no table
refers to it, so no cascade runs, and its AUTOINCREMENT high-water mark is restored.

Downgrade: drops `thread_id` and the two keys and restores (chat, story); of deliveries of
one story to several topics of one chat only the best (as above) is kept.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "alert_deliveries"
OLD_KEY = "uq_alert_deliveries_chat_story"
STORY_KEY = "uq_alert_deliveries_chat_thread_story"
ARTICLE_KEY = "uq_alert_deliveries_chat_thread_article"

# Which copy of a delivery to keep: sent, then being sent, then queued, then the rest.
_RANK = "CASE {t}.status WHEN 'sent' THEN 0 WHEN 'sending' THEN 1 WHEN 'pending' THEN 2 ELSE 3 END"


def _drop_worse_copies(same: str) -> None:
    """Delete every delivery that has a better copy: one row with the same `same` columns
    ranks before it (by `_RANK`, then by id)."""
    rank_d, rank_k = _RANK.format(t=TABLE), _RANK.format(t="k")
    op.execute(
        f"DELETE FROM {TABLE} WHERE EXISTS (SELECT 1 FROM {TABLE} k WHERE {same} "
        f"AND k.id <> {TABLE}.id AND ({rank_k} < {rank_d} "
        f"OR ({rank_k} = {rank_d} AND k.id < {TABLE}.id)))"
    )


def _same(*columns: str) -> str:
    return " AND ".join(f"k.{c} = {TABLE}.{c}" for c in columns)


@contextmanager
def _rebuilt() -> Iterator[BatchOperations]:
    """A batch of changes: ALTERs on PostgreSQL, one table rebuild on SQLite.

    Rebuilding is safe on SQLite because no foreign key points at alert_deliveries (dropping
    its old copy cascades nowhere); rows are copied with their ids, and the AUTOINCREMENT
    counter, which dropping the old copy resets, is put back."""
    bind = op.get_bind()
    mark = None
    if bind.dialect.name == "sqlite":
        mark = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": TABLE}
        ).scalar()
    with op.batch_alter_table(TABLE, table_kwargs={"sqlite_autoincrement": True}) as batch:
        yield batch
    if mark is not None:
        values = {"mark": mark, "t": TABLE}
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t"), values)
        bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :mark)"), values)


def upgrade() -> None:
    # Plain ADD COLUMN with a constant default: no rebuild needed for the column itself.
    op.add_column(
        TABLE,
        sa.Column("thread_id", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
    )
    op.execute(
        f"UPDATE {TABLE} SET thread_id = COALESCE((SELECT s.thread_id FROM subscriptions s "
        f"WHERE s.id = {TABLE}.subscription_id), 0)"
    )
    _drop_worse_copies(_same("chat_id", "thread_id", "article_id"))
    with _rebuilt() as batch:
        batch.drop_constraint(OLD_KEY, type_="unique")
    op.create_index(STORY_KEY, TABLE, ["chat_id", "thread_id", "story_id"], unique=True)
    op.create_index(ARTICLE_KEY, TABLE, ["chat_id", "thread_id", "article_id"], unique=True)


def downgrade() -> None:
    op.drop_index(ARTICLE_KEY, table_name=TABLE)
    op.drop_index(STORY_KEY, table_name=TABLE)
    _drop_worse_copies(_same("chat_id", "story_id"))
    with _rebuilt() as batch:
        batch.drop_column("thread_id")
        batch.create_unique_constraint(OLD_KEY, ["chat_id", "story_id"])  # as revision 0001
