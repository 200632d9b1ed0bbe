"""A long digest refused by a flood limit after its first message went out sends the rest
after the wait, not the whole digest again: the chat never gets its first part twice."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.emulator_state import Fault
from index import store
from index.db import session_scope
from index.schema import ChatTurnPieceRow, ChatTurnRow
from index.types import Article
from tests.bot.alerts_world import AlertsWorld, deliveries, settled, subscriptions, user


def _queue_long_stories(world: AlertsWorld, chat_id: int, count: int) -> None:
    [subscription] = subscriptions(world, chat_id)
    with session_scope(world.runtime.sessions) as session:
        for n in range(count):
            title = f"Chip export controls, part {n}: " + "long headline words " * 14
            article_id = store.upsert_article(
                session=session,
                article=Article(title=title, body=f"Story {n}.", url=f"https://x.example/{n}"),
                key=f"https://x.example/{n}",
                content_hash=f"h{n}",
                fingerprint=None,
            ).article_id
            store.enqueue_delivery(
                session=session,
                subscription_id=subscription.id,
                chat_id=chat_id,
                article_id=article_id,
                story_id=article_id,
                score=0.5,
                reason="Export controls " * 12,
                now=world.clock(),
            )


async def test_a_digest_cut_by_a_flood_limit_is_not_sent_twice(world: AlertsWorld) -> None:
    alice = user(world, "Alice")
    chat = alice["id"]
    await world.reply(chat, "/subscribe chip export controls", alice)
    await world.reply(chat, "/digest 1 1", alice)
    assert world.application.job_queue is not None
    [job] = world.application.job_queue.get_jobs_by_name("alert-delivery")
    job.enabled = False  # rounds by hand
    _queue_long_stories(world, chat, 10)
    before = len(world.emulator.bot_messages(chat))

    refusals = {"left": 0}

    def flood_after_first_piece(method: str, params: dict[str, Any]) -> Fault | None:
        if method.lower() != "sendmessage" or params.get("chat_id") != chat:
            return None
        texts = [m.text for m in world.emulator.bot_messages(chat)[before:]]
        if texts and refusals["left"] == 0 and len(texts) == 1:
            refusals["left"] = 5  # more than the rate limiter's retries
        if refusals["left"] > 1:
            refusals["left"] -= 1
            return Fault(429, 1, None)
        return None

    world.emulator.set_fault_policy(flood_after_first_piece)
    world.clock.advance(hours=2)
    await settled(world)

    sent = world.emulator.bot_messages(chat)[before:]
    assert len(sent) >= 2  # the digest took several messages
    assert sent[0].text.startswith("Digest: chip export controls (10 new stories)")
    assert [m.text for m in sent].count(sent[0].text) == 1
    shown = [line for m in sent for line in m.text.splitlines() if line.startswith("• ")]
    assert len(shown) == 10
    assert {row.status for row in deliveries(world)} == {"sent"}


async def test_a_digest_cut_by_a_group_upgrade_and_a_flood_limit_is_not_sent_twice(
    world: AlertsWorld,
) -> None:
    # Its first message reaches the group; the group is then upgraded, and the supergroup's
    # first send is refused by a flood limit: what the group already had must not come again.
    alice = user(world, "Alice")
    old, new = -4_444, -1_004_444
    world.emulator.state.ensure_chat(old, "group", "Harbour")
    with session_scope(world.runtime.sessions) as session:
        store.add_subscription(
            session=session,
            chat_id=old,
            topic="chip export controls",
            digest_hours=1,
            now=world.clock(),
        )
    assert world.application.job_queue is not None
    [job] = world.application.job_queue.get_jobs_by_name("alert-delivery")
    job.enabled = False  # rounds by hand
    _queue_long_stories(world, old, 10)

    refusals = {"left": 5}  # more than the rate limiter's retries

    def upgrade_after_first_piece(method: str, params: dict[str, Any]) -> Fault | None:
        if method.lower() != "sendmessage":
            return None
        if params.get("chat_id") == old and world.emulator.bot_messages(old):
            if old not in world.emulator.state.migrated:
                world.emulator.migrate_group(old, new, alice, announce=False)
        elif params.get("chat_id") == new and refusals["left"] > 1:
            refusals["left"] -= 1
            return Fault(429, 1, None)
        return None

    world.emulator.set_fault_policy(upgrade_after_first_piece)
    world.clock.advance(hours=2)
    await settled(world)

    first = world.emulator.bot_messages(old)
    rest = world.emulator.bot_messages(new)
    assert len(first) == 1
    assert first[0].text.startswith("Digest: chip export controls (10 new stories)")
    assert rest
    assert not any(m.text == first[0].text for m in rest)
    shown = [line for m in first + rest for line in m.text.splitlines() if line.startswith("• ")]
    assert len(shown) == 10
    assert {row.status for row in deliveries(world)} == {"sent"}


async def test_a_digest_split_by_a_group_upgrade_links_only_the_supergroups_messages(
    world: AlertsWorld,
) -> None:
    # The group's message ids mean nothing in the supergroup (it numbers its own): the
    # digest's turn there must not carry the first piece's id, or a reply to an unrelated
    # supergroup message with that number would be read as a reply to the digest.
    alice = user(world, "Alice")
    old, new = -4_445, -1_004_445
    for n in range(3):  # chatter first, so the group's numbers are not the supergroup's
        world.emulator.send_text(old, f"hello {n}", user=alice, chat_type="group")
    with session_scope(world.runtime.sessions) as session:
        store.add_subscription(
            session=session, chat_id=old, topic="chip export controls", digest_hours=1,
            now=world.clock(),
        )  # fmt: skip
    assert world.application.job_queue is not None
    [job] = world.application.job_queue.get_jobs_by_name("alert-delivery")
    job.enabled = False  # rounds by hand
    _queue_long_stories(world, old, 10)

    def upgrade_after_first_piece(method: str, params: dict[str, Any]) -> Fault | None:
        to_old = method.lower() == "sendmessage" and params.get("chat_id") == old
        if to_old and world.emulator.bot_messages(old) and old not in world.emulator.state.migrated:
            world.emulator.migrate_group(old, new, alice, announce=False)
        return None

    world.emulator.set_fault_policy(upgrade_after_first_piece)
    world.clock.advance(hours=2)
    await settled(world)

    [first] = world.emulator.bot_messages(old)
    rest = world.emulator.bot_messages(new)
    assert rest
    assert first.message_id not in {m.message_id for m in rest}
    with session_scope(world.runtime.sessions) as session:
        [turn] = session.scalars(
            select(ChatTurnRow).where(ChatTurnRow.chat_id == new, ChatTurnRow.role == "assistant")
        ).all()
        pieces = session.scalars(
            select(ChatTurnPieceRow.message_id).where(ChatTurnPieceRow.turn_id == turn.id)
        ).all()
    assert [turn.message_id, *pieces] == [m.message_id for m in rest]
