"""A digest whose forum topic is deleted after its first message went out there: General gets
only the rest, as a digest of its own (its own heading, not a continuation of one it never
saw), without the story it already had; nothing is sent twice."""

from __future__ import annotations

from typing import Any

from bot.emulator_state import Fault
from index import store
from index.db import session_scope
from index.types import Article, Subscription
from tests.bot.alerts_world import AlertsWorld, deliveries, subscriptions, user

FORUM = -100_996
TOPIC = 81
STORIES = 16  # long headlines and reasons: the digest takes three messages or more


def _mark(n: int) -> str:
    return f"Volcano story {n:02d}:"


def _title(n: int) -> str:
    return _mark(n) + " long headline words" * 14


def _queue(world: AlertsWorld, alert: Subscription, numbers: range) -> None:
    """Queue stories `numbers` for `alert` (an article already stored is the same one)."""
    with session_scope(world.runtime.sessions) as session:
        for n in numbers:
            url = f"https://volcano.example/{n}"
            article_id = store.upsert_article(
                session=session,
                article=Article(title=_title(n), body=f"Volcano story {n}.", url=url),
                key=url,
                content_hash=f"v{n}",
                fingerprint=None,
            ).article_id
            assert store.enqueue_delivery(
                session=session,
                subscription_id=alert.id,
                chat_id=FORUM,
                thread_id=alert.thread_id,
                article_id=article_id,
                story_id=article_id,
                score=0.5,
                reason="Volcano eruption " * 12,
                now=world.clock(),
            )


async def test_a_digest_cut_by_its_topics_deletion_sends_general_only_the_rest(
    world: AlertsWorld,
) -> None:
    carol = user(world, "Carol")
    world.emulator.make_forum(FORUM)
    world.emulator.set_chat_admins(FORUM, [carol["id"]])
    group = {"chat_type": "supergroup"}
    await world.say(FORUM, "/subscribe volcano eruption", carol, thread_id=TOPIC, **group)
    await world.say(FORUM, "/digest 1 1", carol, thread_id=TOPIC, **group)
    await world.say(FORUM, "/subscribe lava flows", carol, **group)  # General's, instant
    assert world.application.job_queue is not None
    [job] = world.application.job_queue.get_jobs_by_name("alert-delivery")
    job.enabled = False  # rounds by hand
    digest, general = subscriptions(world, FORUM)
    _queue(world, digest, range(STORIES))
    _queue(world, general, range(STORIES - 1, STORIES))  # the last story: General's too
    await world.alerts_round()  # General's instant alert; the digest is not due yet
    had = _mark(STORIES - 1)
    assert [m.thread_id for m in world.emulator.bot_messages(FORUM) if had in m.text] == [None]
    before = len(world.emulator.bot_messages(FORUM))

    tries = {"topic": 0}

    def delete_topic_after_first_piece(method: str, params: dict[str, Any]) -> Fault | None:
        if method.lower() == "sendmessage" and params.get("message_thread_id") == TOPIC:
            tries["topic"] += 1
            if tries["topic"] == 2:
                world.emulator.delete_topic(FORUM, TOPIC)  # this piece is refused
        return None

    world.emulator.set_fault_policy(delete_topic_after_first_piece)
    world.clock.advance(hours=2)
    for _ in range(3):
        await world.alerts_round()

    sent = world.emulator.bot_messages(FORUM)[before:]
    [first] = [m for m in sent if m.thread_id == TOPIC]
    assert first.text.startswith(f"Digest: volcano eruption ({STORIES} new stories)")
    out = [n for n in range(STORIES) if _mark(n) in first.text]
    assert out == list(range(len(out)))
    assert 0 < len(out) < STORIES - 1
    rest = [m.text for m in sent if m.thread_id is None]
    left = STORIES - len(out) - 1  # neither in the topic's message nor had by General
    assert rest[0].startswith(f"Digest: volcano eruption ({left} new stories)")
    assert sum(text.startswith("Digest:") for text in rest) == 1
    shown = [n for n in range(STORIES) if any(_mark(n) in text for text in rest)]
    assert shown == list(range(len(out), STORIES - 1))
    assert sum(had in m.text for m in world.emulator.bot_messages(FORUM)) == 1
    assert {r.status for r in deliveries(world)} == {"sent"}
    assert len(deliveries(world)) == STORIES  # the topic's copy of General's story: dropped
    assert subscriptions(world, FORUM)[0].thread_id is None
