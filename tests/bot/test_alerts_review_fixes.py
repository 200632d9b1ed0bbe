"""Review findings on alerts: the CLI's snapshot read once, and another alert of the chat
keeps an article one of its alerts had as an event."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts_background import snapshot_index
from bot.alerts_enqueue import queue_matches
from bot.alerts_events import indexed_vectors
from index import store
from index.schema import AlertDeliveryRow
from index.vectors import FaissVectorIndex
from retrieval.alert_types import AlertMatch
from tests.bot.test_alerts_same_event import (
    CHAT,
    EMBEDDER,
    LAUNCH,
    LAUNCH_AGAIN,
    T0,
    _article,
    _indexed,
    _sub,
)


def _save(directory: Path, ids: list[int]) -> None:
    index = FaissVectorIndex(EMBEDDER.dimension, threads=1)
    index.add(np.asarray(ids, dtype=np.int64), EMBEDDER.embed([f"text {i}" for i in ids]))
    index.save(directory, model_name=EMBEDDER.model_name)


def test_the_snapshot_is_read_again_only_when_it_changed(tmp_path: Path) -> None:
    load = snapshot_index(tmp_path, EMBEDDER)
    assert load() is None  # nothing saved yet
    _save(tmp_path, [1, 2])
    first = load()
    assert first is not None
    assert len(first) == 2
    # A re-index asks at every batch: the same snapshot is never read twice.
    held = []
    threads = [threading.Thread(target=lambda: held.append(load())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(index is first for index in held)

    _save(tmp_path, [1, 2, 3])
    second = load()
    assert second is not first
    assert second is not None
    assert len(second) == 3
    assert load() is second


@pytest.mark.parametrize(("a_score", "b_score"), [(0.7, 0.6), (0.6, 0.7)])
def test_another_alert_of_the_chat_gets_an_event_it_never_had(
    session: Session, a_score: float, b_score: float
) -> None:
    a = _sub(session)
    b = store.add_subscription(
        session=session, chat_id=CHAT, topic="Japan emergency alert", now=T0 - timedelta(days=30)
    )
    x = _article(session, "cnn", LAUNCH, T0)
    y = _article(session, "usa", LAUNCH_AGAIN, T0 + timedelta(hours=3))
    index = _indexed(session, [x, y])
    events = indexed_vectors(lambda: index)
    queue_matches(
        session, [AlertMatch(a.id, x.id, 0.7, "")], [a, b], {x.id: x},
        now=T0, max_per_run=None, events=events,
    )  # fmt: skip
    matches = [AlertMatch(a.id, y.id, a_score, ""), AlertMatch(b.id, y.id, b_score, "")]
    queued, _ = queue_matches(
        session, matches, [a, b], {y.id: y}, now=T0, max_per_run=None, events=events
    )

    rows = session.execute(
        select(
            AlertDeliveryRow.subscription_id, AlertDeliveryRow.article_id, AlertDeliveryRow.status
        )
    ).all()
    # A had the event (X): Y is not its alert. B never had it: Y is B's, whoever scored higher.
    assert queued == 1
    assert {(s, art, st) for s, art, st in rows} == {
        (a.id, x.id, "pending"),
        (b.id, y.id, "pending"),
    }
