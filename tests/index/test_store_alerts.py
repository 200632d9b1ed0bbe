"""Subscriptions and the alert delivery queue."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.errors import BadInputError
from index.types import Article

T0 = datetime(2024, 10, 1, 12, 0, tzinfo=UTC)
CHAT = 5_000_000_000  # above 32 bits
OTHER = 77
STALE = timedelta(minutes=5)


def _articles(session: Session, n: int) -> list[int]:
    return [
        store.upsert_article(
            session=session,
            article=Article(title=f"t{i}", body=f"b{i}"),
            key=f"sha256:{i}",
            content_hash=str(i),
            fingerprint=None,
        ).article_id
        for i in range(n)
    ]


def _enqueue(session: Session, sub_id: int, chat_id: int, article_id: int, story: int) -> bool:
    return store.enqueue_delivery(
        session=session,
        subscription_id=sub_id,
        chat_id=chat_id,
        article_id=article_id,
        story_id=story,
        score=0.8,
        reason="The best sentence.",
        now=T0,
    )


def test_subscriptions_belong_to_their_chat(session: Session) -> None:
    mine = store.add_subscription(
        session=session, chat_id=CHAT, topic=" electric cars ", must_words=["ev"], now=T0
    )
    store.add_subscription(session=session, chat_id=OTHER, topic="football")
    assert (mine.topic, mine.must_words, mine.exclude_words) == ("electric cars", ("ev",), ())
    assert (mine.active, mine.digest_hours, mine.created_at) == (True, None, T0)
    assert store.list_subscriptions(session=session, chat_id=CHAT) == [mine]
    assert store.count_subscriptions(session=session, chat_id=CHAT) == 1
    with pytest.raises(BadInputError):
        store.remove_subscription(session=session, subscription_id=mine.id, chat_id=OTHER)
    with pytest.raises(BadInputError):
        store.set_subscription_active(
            session=session, subscription_id=mine.id, chat_id=OTHER, active=False
        )
    with pytest.raises(BadInputError):
        store.add_subscription(session=session, chat_id=CHAT, topic="  ")
    paused = store.set_subscription_active(
        session=session, subscription_id=mine.id, chat_id=CHAT, active=False
    )
    assert not paused.active
    assert [s.topic for s in store.active_subscriptions(session=session)] == ["football"]
    digest = store.set_digest(session=session, subscription_id=mine.id, chat_id=CHAT, hours=24)
    assert digest.digest_hours == 24
    with pytest.raises(BadInputError):
        store.set_digest(session=session, subscription_id=mine.id, chat_id=CHAT, hours=0)
    assert store.remove_subscription(session=session, subscription_id=mine.id, chat_id=CHAT).id == (
        mine.id
    )
    assert store.list_subscriptions(session=session, chat_id=CHAT) == []


def test_a_chat_never_gets_the_same_story_twice(session: Session) -> None:
    a, b = _articles(session, 2)
    first = store.add_subscription(session=session, chat_id=CHAT, topic="x").id
    second = store.add_subscription(session=session, chat_id=CHAT, topic="y").id
    other = store.add_subscription(session=session, chat_id=OTHER, topic="x").id
    assert _enqueue(session, first, CHAT, a, story=a)
    assert not _enqueue(session, first, CHAT, a, story=a)
    assert not _enqueue(session, second, CHAT, b, story=a)  # syndicated copy, other topic
    assert _enqueue(session, other, OTHER, a, story=a)
    assert _enqueue(session, second, CHAT, b, story=b)
    claimed = store.claim_pending(session=session, worker="w", limit=10, now=T0, stale_after=STALE)
    assert sorted((d.chat_id, d.story_id) for d in claimed) == [(OTHER, a), (CHAT, a), (CHAT, b)]
    delivery = next(d for d in claimed if d.chat_id == CHAT and d.story_id == b)
    assert (delivery.topic, delivery.reason, delivery.score) == ("y", "The best sentence.", 0.8)
    # Sent alerts still block the story.
    store.mark_sent(session=session, delivery_ids=[d.id for d in claimed], now=T0)
    assert not _enqueue(session, first, CHAT, a, story=a)


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "no-returning"])
def test_claims_stale_reclaims_and_statuses(
    session: Session, returning: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without UPDATE ... RETURNING (e.g. older MySQL) the claim re-checks and reads back.
    monkeypatch.setattr(session.get_bind().dialect, "update_returning", returning)
    ids = _articles(session, 4)
    sub = store.add_subscription(session=session, chat_id=CHAT, topic="x").id
    for article_id in ids:
        _enqueue(session, sub, CHAT, article_id, story=article_id)

    def claim(worker: str, now: datetime, limit: int = 10) -> list[int]:
        got = store.claim_pending(
            session=session, worker=worker, limit=limit, now=now, stale_after=STALE
        )
        return [d.id for d in got]

    first = claim("a", T0, limit=2)
    second = claim("b", T0)
    assert len(first) == 2
    assert len(second) == 2
    assert not set(first) & set(second)
    assert claim("c", T0 + timedelta(minutes=1)) == []  # fresh claims are held
    store.mark_sent(session=session, delivery_ids=first[:1], now=T0)
    store.mark_failed(session=session, delivery_ids=first[1:])
    # Worker b crashed: after stale_after its claims go to whoever asks.
    assert claim("c", T0 + STALE + timedelta(seconds=1)) == second
    assert store.release_claims(session=session, worker="c") == 2
    assert claim("d", T0 + STALE + timedelta(seconds=2), limit=1) == second[:1]
    assert store.release_claims(session=session, delivery_ids=second) == 1
    assert store.mark_skipped(session=session, delivery_ids=second) == 2
    assert claim("e", T0 + timedelta(hours=1)) == []
    assert store.alerts_delivered_today(session=session, now=T0 + timedelta(hours=1)) == 1
    assert store.alerts_delivered_today(session=session, now=T0 + timedelta(days=1)) == 0
    with pytest.raises(ValueError, match="needs"):
        store.release_claims(session=session)


def test_paused_and_digest_subscriptions_are_not_claimed_instantly(session: Session) -> None:
    a, b, c = _articles(session, 3)
    instant = store.add_subscription(session=session, chat_id=CHAT, topic="x").id
    digest = store.add_subscription(
        session=session, chat_id=OTHER, topic="y", digest_hours=6, now=T0
    ).id
    _enqueue(session, instant, CHAT, a, story=a)
    _enqueue(session, digest, OTHER, b, story=b)
    store.pause_chat_subscriptions(session=session, chat_id=CHAT)
    _enqueue(session, instant, CHAT, c, story=c)  # queued after the pause: stays unclaimed
    got = store.claim_pending(session=session, worker="w", limit=10, now=T0, stale_after=STALE)
    assert got == []
    assert store.active_subscriptions(session=session)[0].id == digest


def test_digests_are_claimed_when_due(session: Session) -> None:
    a, b, c = _articles(session, 3)
    sub = store.add_subscription(
        session=session, chat_id=CHAT, topic="x", digest_hours=6, now=T0
    ).id
    _enqueue(session, sub, CHAT, a, story=a)
    _enqueue(session, sub, CHAT, b, story=b)

    def due(now: datetime) -> list:
        return store.claim_due_digests(session=session, worker="w", now=now, stale_after=STALE)

    assert due(T0 + timedelta(hours=5)) == []
    (batch,) = due(T0 + timedelta(hours=6))
    assert batch.subscription.id == sub
    assert [d.story_id for d in batch.deliveries] == [a, b]
    assert due(T0 + timedelta(hours=6, minutes=1)) == []  # already claimed
    sent_at = T0 + timedelta(hours=6)
    store.mark_sent(session=session, delivery_ids=[d.id for d in batch.deliveries], now=sent_at)
    store.mark_digest_sent(session=session, subscription_id=sub, now=sent_at)
    _enqueue(session, sub, CHAT, c, story=c)
    assert due(sent_at + timedelta(hours=5)) == []  # at most one digest per interval
    (later,) = due(sent_at + timedelta(hours=6))
    assert [d.story_id for d in later.deliveries] == [c]
    assert later.subscription.last_digest_at == sent_at


def test_two_claimers_never_get_the_same_row(session_factory: sessionmaker[Session]) -> None:
    total = 60
    with session_scope(session_factory) as session:
        ids = _articles(session, total)
        sub = store.add_subscription(session=session, chat_id=CHAT, topic="x").id
        for article_id in ids:
            _enqueue(session, sub, CHAT, article_id, story=article_id)

    claimed: dict[str, list[int]] = {"w1": [], "w2": []}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(worker: str) -> None:
        try:
            start.wait()
            while True:
                with session_scope(session_factory) as session:
                    got = store.claim_pending(
                        session=session, worker=worker, limit=3, now=T0, stale_after=STALE
                    )
                if not got:
                    return
                claimed[worker].extend(d.id for d in got)
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(w,)) for w in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert not set(claimed["w1"]) & set(claimed["w2"])
    assert len(claimed["w1"]) + len(claimed["w2"]) == total
