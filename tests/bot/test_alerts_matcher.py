"""The alert matcher of the bot and the command line, on a real store and index.

The hashing embedder stands in for the model (cosines are lexical); the Wikinews samples
make a corpus big enough for the matcher's background.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from bot.alerts_background import background_from, recent_background, snapshot_index
from bot.alerts_matcher import AlertMatcher, matcher_for_runtime
from bot.cli_run import alerts_config
from bot.runtime import Runtime
from index import store
from index.db import session_scope
from index.embedding import SentenceTransformerEmbedder
from index.parsing import iter_path
from index.pipeline import NewChunks
from index.types import Article
from retrieval.alert_background import Background
from retrieval.alert_defaults import DIRECT_THRESHOLD
from retrieval.alert_lexicon import word_keys
from retrieval.alerts import TopicSet
from retrieval.topics import parse_topic
from tests.bot.alerts_world import (
    CHIPS_CHINA,
    CHIPS_STOCKS,
    LIBRARY,
    VOLCANO,
    Clock,
    article,
    make_runtime,
    seed,
)
from tests.small_corpus import SAMPLES, sample_articles

THRESHOLD = 0.3


def subscribe(runtime: Runtime, chat_id: int, topic: str, *, active: bool = True) -> int:
    parsed = parse_topic(topic)
    with session_scope(runtime.sessions) as session:
        made = store.add_subscription(
            session=session,
            chat_id=chat_id,
            topic=parsed.phrase,
            must_words=parsed.must_words,
            exclude_words=parsed.exclude_words,
        )
        if not active:
            store.set_subscription_active(
                session=session, subscription_id=made.id, chat_id=chat_id, active=False
            )
        return made.id


def queued(runtime: Runtime) -> list[tuple[int, int]]:
    """(chat, article id) of every queued alert."""
    with session_scope(runtime.sessions) as session:
        claimed = store.claim_pending(
            session=session,
            worker="test",
            limit=100,
            now=datetime.now(UTC),
            stale_after=timedelta(minutes=5),
        )
        return sorted((d.chat_id, d.article_id) for d in claimed)


def ingest(runtime: Runtime, matcher: AlertMatcher, articles: list[Article]) -> list[int]:
    """Index articles, matching each batch as `newsbot ingest` does; their ids."""
    indexer = runtime.indexer()
    indexer.open()

    def on_chunks(chunks: NewChunks) -> None:
        matcher.match_new(chunks)

    report = indexer.ingest(articles, on_chunks=on_chunks)
    return list(report.new_article_ids)


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD)


def test_only_active_subscriptions_get_alerts_and_new_ones_are_seen(runtime: Runtime) -> None:
    subscribe(runtime, 1, "volcano eruption")
    subscribe(runtime, 2, "volcano eruption", active=False)
    matcher = matcher_for_runtime(runtime)
    [volcano_id] = ingest(runtime, matcher, [VOLCANO])
    # A subscription made meanwhile by another process is embedded on first sight.
    subscribe(runtime, 3, "chip export controls")
    [chips_id] = ingest(runtime, matcher, [CHIPS_CHINA])
    assert queued(runtime) == [(1, volcano_id), (3, chips_id)]


def counted_matcher(runtime: Runtime, clock: Clock) -> tuple[AlertMatcher, list[Background | None]]:
    """A matcher whose background builds are recorded, in order."""
    calls: list[Background | None] = []
    source = background_from(runtime.sessions, snapshot_index(runtime.index_dir, runtime.embedder))

    def counted() -> Background | None:
        calls.append(source())
        return calls[-1]

    matcher = AlertMatcher(
        sessions=runtime.sessions,
        embedder=runtime.embedder,
        threshold=THRESHOLD,
        background=counted,
        clock=clock,
        max_age=None,  # sample articles of any date
    )
    return matcher, calls


def all_sample_articles() -> list[Article]:
    """Every Wikinews sample article, dated or not (the matcher here has no age limit)."""
    return [item for item in iter_path(SAMPLES) if isinstance(item, Article)]


def preindex(runtime: Runtime, articles: list[Article]) -> None:
    """Index articles with no matcher (they were there before the bot started)."""
    indexer = runtime.indexer()
    indexer.open()
    indexer.ingest(articles)


def test_the_background_is_the_newest_articles_and_is_refreshed_daily(runtime: Runtime) -> None:
    corpus = sample_articles(132)
    clock = Clock()
    matcher, calls = counted_matcher(runtime, clock)
    subscribe(runtime, 1, "volcano eruption")
    preindex(runtime, corpus[:60])
    ingest(runtime, matcher, corpus[60:61])  # too few articles: no background yet
    assert calls == [None]
    preindex(runtime, corpus[61:130])
    ingest(runtime, matcher, corpus[130:])
    assert len(calls) == 1  # not rebuilt within the day while the index barely grows
    clock.advance(hours=25)
    [volcano_id] = ingest(runtime, matcher, [VOLCANO])
    assert len(calls) == 2
    background = calls[-1]
    assert background is not None
    assert len(background) == 132  # the corpus as indexed before the last batch was saved
    assert (1, volcano_id) in queued(runtime)


def test_the_background_is_rebuilt_when_the_index_grows_by_half(runtime: Runtime) -> None:
    # A big ingest must not be matched for a day against what its first batches held.
    corpus = all_sample_articles()[:240]
    matcher, calls = counted_matcher(runtime, Clock())
    subscribe(runtime, 1, "volcano eruption")
    preindex(runtime, corpus[:120])
    ingest(runtime, matcher, corpus[120:125])
    assert len(calls) == 1
    first = calls[0]
    assert first is not None
    assert len(first) == 120
    ingest(runtime, matcher, corpus[125:170])  # 50 new: less than half of 120
    assert len(calls) == 1
    ingest(runtime, matcher, corpus[170:240])  # now 120 matched since the build
    ingest(runtime, matcher, [VOLCANO])
    assert len(calls) == 2
    rebuilt = calls[-1]
    assert rebuilt is not None
    assert len(rebuilt) == 240


def test_recent_background_takes_the_newest_articles(runtime: Runtime) -> None:
    corpus = sample_articles(140)
    indexer = runtime.indexer()
    indexer.open()
    indexer.ingest(corpus)
    vectors_of = indexer.pair.vectors.vectors_of
    assert recent_background(runtime.sessions, vectors_of, size=120) is not None
    assert len(recent_background(runtime.sessions, vectors_of, size=120) or []) == 120
    assert recent_background(runtime.sessions, vectors_of, size=50) is None  # under the minimum
    # The live index of the process serves as well as the snapshot on disk.
    live = background_from(runtime.sessions, lambda: indexer.pair.vectors, size=120)()
    assert live is not None
    assert len(live) == 120
    # With the articles' words: what anchors a named topic to the articles naming it.
    assert live.words is not None
    assert live.words.size == 120
    newest_words = word_keys(corpus[-1].title)
    assert newest_words
    assert all(live.words.holding(key).size for key in newest_words)


def active_topic_set(runtime: Runtime, matcher: AlertMatcher) -> TopicSet:
    with session_scope(runtime.sessions) as session:
        subscriptions = store.active_subscriptions(session=session)
    return matcher.topic_set(subscriptions)  # the set the last match used: nothing changed


def test_a_new_subscription_fits_only_its_own_profile(runtime: Runtime) -> None:
    seed(runtime, sample_articles(130))  # enough for a background
    for chat, topic in enumerate(("volcano eruption", "chip export controls", "elections")):
        subscribe(runtime, chat, topic)
    matcher = matcher_for_runtime(runtime)
    ingest(runtime, matcher, [VOLCANO])
    first = active_topic_set(runtime, matcher)
    assert first.background is not None
    assert first.fitted.fitted == 3
    subscribe(runtime, 9, "library funding")
    ingest(runtime, matcher, [LIBRARY])
    second = active_topic_set(runtime, matcher)
    assert second is not first
    assert second.fitted.fitted == 1  # the new one; the other three were kept
    np.testing.assert_array_equal(second.profiles.scores[:3], first.profiles.scores)


def test_with_the_corpus_route_off_no_background_is_read(tmp_path: Path) -> None:
    runtime = make_runtime(tmp_path / "data", ALERT_THRESHOLD=THRESHOLD, ALERT_CORPUS_ROUTE=False)
    assert alerts_config(runtime.settings).corpus_route is False  # the bot's service too
    seed(runtime, sample_articles(130))
    reads: list[int] = []

    def index() -> None:
        reads.append(1)

    subscribe(runtime, 1, "volcano eruption")
    matcher = matcher_for_runtime(runtime, index)
    [volcano_id] = ingest(runtime, matcher, [VOLCANO])
    assert reads == []
    assert active_topic_set(runtime, matcher).background is None
    assert queued(runtime) == [(1, volcano_id)]  # the direct route still alerts


@pytest.mark.slow
def test_a_paraphrase_matches_with_the_model_at_the_shipped_threshold(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    runtime = make_runtime(
        tmp_path / "data", embedder=real_embedder, ALERT_THRESHOLD=DIRECT_THRESHOLD
    )
    subscribe(runtime, 1, "volcano eruption")
    subscribe(runtime, 2, "chip export controls -stocks")
    lava = article(
        "Lava pours from a fissure near an Icelandic fishing town",
        "Molten rock burst through the ground on the Reykjanes peninsula overnight, and "
        "residents of the fishing town were told to leave. Geologists expect the fissure to "
        "keep spewing magma for days.",
        source="Nordic Wire",
        slug="fissure",
    )
    ids = ingest(runtime, matcher_for_runtime(runtime), [lava, CHIPS_CHINA, CHIPS_STOCKS, LIBRARY])
    assert queued(runtime) == [(1, ids[0]), (2, ids[1])]
