"""Which stories of a digest or flood went out in its first messages (pure): read from the
messages as `bot/alerts_render.py` lays them out, so a change of that layout shows here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.alerts_cut import split_sent
from bot.alerts_render import render_digest, render_flood
from index.types import PendingDelivery, StoredArticle, Subscription

WHEN = datetime(2024, 11, 14, 8, 0, tzinfo=UTC)
Item = tuple[PendingDelivery, StoredArticle]


def _item(n: int, score: float, *, long: bool = True) -> Item:
    words = " long headline words" * (14 if long else 1)
    article = StoredArticle(
        id=n,
        key=f"https://x.example/{n}",
        title=f"Story {n:02d}:{words}",
        body="Body.",
        source="Wire\n\nService",  # spaced out as a feed may give it
        published_at=WHEN,
        url=f"https://x.example/{n}",
        language="en",
        content_hash=str(n),
    )
    reason = "Volcano\n\neruption " * (12 if long else 1)
    delivery = PendingDelivery(n, 7, 1, n, n, score, reason, "volcano\n\neruption", WHEN)
    return delivery, article


SUBSCRIPTION = Subscription(
    id=7,
    chat_id=1,
    topic="volcano\n\neruption",  # a blank line in the heading does not count as a story
    must_words=(),
    exclude_words=(),
    active=True,
    digest_hours=6,
    last_digest_at=None,
    created_at=WHEN,
    number=1,
)


def _check(items: list[Item], pieces: list[str]) -> None:
    assert len(pieces) >= 3
    for sent in range(len(pieces) + 1):
        out, rest = split_sent(items, pieces, sent)
        assert out + rest == items
        for _, article in out:
            assert any(f"Story {article.id:02d}:" in p for p in pieces[:sent])
        for _, article in rest:
            assert any(f"Story {article.id:02d}:" in p for p in pieces[sent:])


@pytest.mark.parametrize("count", [16, 25])
def test_a_digests_first_messages_hold_its_first_stories(count: int) -> None:
    items = [_item(n, 0.5) for n in range(count)]
    _check(items, render_digest(SUBSCRIPTION, items))


def test_a_floods_first_messages_hold_its_best_stories_when_listed_best_first() -> None:
    items = sorted(
        [_item(n, (n * 7 % 20) / 20) for n in range(20)], key=lambda item: -item[0].score
    )
    _check(items, render_flood("volcano eruption", 40, items))


def test_one_message_or_none_out() -> None:
    items = [_item(n, 0.5, long=False) for n in range(3)]
    [piece] = render_digest(SUBSCRIPTION, items)
    assert split_sent(items, [piece], 1) == (items, [])
    assert split_sent(items, [piece], 0) == ([], items)
