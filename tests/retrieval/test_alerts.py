"""The alert matcher on hand-made vectors: routes, best chunk, filters, reasons, independence."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedding import HashingEmbedder, l2_normalise
from retrieval import alert_scoring
from retrieval.alert_background import build_background
from retrieval.alert_reason import MAX_REASON_CHARS
from retrieval.alerts import (
    AlertMatch,
    AlertTopic,
    MatchSettings,
    NewArticles,
    build_topic_set,
    match_articles,
)
from retrieval.topic_embedding import embed_topic

DIM = 8


def unit(*weights: float) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[: len(weights)] = weights
    return vector / np.linalg.norm(vector)


def articles(
    chunks: list[tuple[int, np.ndarray, str]], bodies: dict[int, str] | None = None
) -> NewArticles:
    """NewArticles from (article id, chunk vector, chunk text) rows."""
    ids = list(dict.fromkeys(a for a, _, _ in chunks))
    bodies = bodies or {}
    return NewArticles(
        article_ids=ids,
        titles=[f"Title {a}" for a in ids],
        bodies=[bodies.get(a, " ".join(t for b, _, t in chunks if b == a)) for a in ids],
        chunk_vectors=np.stack([v for _, v, _ in chunks]),
        chunk_article_ids=np.array([a for a, _, _ in chunks]),
        chunk_texts=[t for _, _, t in chunks],
    )


def topic(subscription_id: int, vector: np.ndarray, **kwargs: object) -> AlertTopic:
    return AlertTopic(subscription_id, np.atleast_2d(vector), **kwargs)  # type: ignore[arg-type]


def test_direct_route_alerts_at_and_above_the_threshold() -> None:
    new = articles(
        [
            (10, unit(1, 0), "Exactly on topic."),
            (11, unit(0.6, 0.8), "Cosine 0.6 to the topic."),
            (12, unit(0, 1), "Unrelated."),
        ]
    )
    topic_set = build_topic_set([topic(7, unit(1, 0))], None)
    found = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.6))
    assert [(m.subscription_id, m.article_id) for m in found] == [(7, 10), (7, 11)]
    assert found[0].score == pytest.approx(1.0)
    assert found[1].score == pytest.approx(0.6, abs=1e-4)
    strict = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.61))
    assert [m.article_id for m in strict] == [10]


def test_threshold_must_be_a_cosine() -> None:
    with pytest.raises(ValueError, match="cosine"):
        MatchSettings(direct_threshold=1.5)


def test_the_best_chunk_counts_and_gives_the_reason() -> None:
    new = articles(
        [
            (1, unit(0, 1), "Opening paragraph about the weather."),
            (1, unit(0, 0, 1), "A second part on football scores."),
            (1, unit(0.95, 0.31), "Chip export rules tightened. Officials spoke on Monday."),
            (2, unit(0, 1), "Another article entirely."),
        ]
    )
    topic_set = build_topic_set([topic(1, unit(1, 0), phrase="chip export rules")], None)
    [match] = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.9))
    assert match.article_id == 1
    assert match.reason == "Chip export rules tightened."


def test_best_part_of_a_topic_counts() -> None:
    new = articles([(1, unit(0, 1), "About music."), (2, unit(0, 0, 1), "About film.")])
    parts = np.stack([unit(1, 0), unit(0, 1), unit(0, 0, 1)])  # phrase, "music", "film"
    topic_set = build_topic_set([AlertTopic(5, parts, phrase="music and film")], None)
    found = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=0.9))
    assert [m.article_id for m in found] == [1, 2]


def test_required_and_excluded_words_are_honoured() -> None:
    vector = unit(1, 0)
    new = articles(
        [(1, vector, ""), (2, vector, ""), (3, vector, ""), (4, vector, "")],
        bodies={
            1: "China tightens chip exports.",
            2: "CHINA's chip stocks fell.",
            3: "Chip exports from South Korea rose.",
            4: "Chip exports: Seoul (South Korea) and China talk.",
        },
    )
    subscriptions = [
        topic(1, vector, phrase="chip exports", must_words=("china",), exclude_words=("stocks",)),
        topic(2, vector, phrase="chip exports", must_words=("south korea", "china")),
        topic(3, vector, phrase="chip exports", exclude_words=("south korea",)),
    ]
    found = match_articles(build_topic_set(subscriptions, None), new)
    alerts = {(m.subscription_id, m.article_id) for m in found}
    assert alerts == {(1, 1), (1, 4), (2, 4), (3, 1), (3, 2)}


def test_reason_is_a_sentence_of_the_article_with_or_without_an_embedder() -> None:
    body = (
        "Markets were calm on Monday. The central bank raised interest rates by half a point. "
        "Analysts had expected the move."
    )
    new = articles([(1, unit(1, 0), body)])
    subscription = topic(1, unit(1, 0), phrase="interest rates")
    topic_set = build_topic_set([subscription], None)
    lexical = match_articles(topic_set, new)
    assert lexical[0].reason == "The central bank raised interest rates by half a point."
    embedder = HashingEmbedder(dimension=DIM)
    embedded_set = build_topic_set(
        [AlertTopic(1, embed_topic("interest rates", embedder), phrase="interest rates")], None
    )
    new_embedded = NewArticles(
        article_ids=[1],
        titles=["Rates"],
        bodies=[body],
        chunk_vectors=embedder.embed([body]),
        chunk_article_ids=np.array([1]),
        chunk_texts=[body],
    )
    found = match_articles(
        embedded_set,
        new_embedded,
        settings=MatchSettings(direct_threshold=-1.0),
        reason_embedder=embedder,
    )
    assert found[0].reason in {
        "Markets were calm on Monday.",
        "The central bank raised interest rates by half a point.",
        "Analysts had expected the move.",
    }


def test_without_chunk_texts_the_reason_comes_from_the_body() -> None:
    long_sentence = "Rates " + "went up again and again " * 40 + "today."
    new = NewArticles(
        article_ids=[3],
        titles=["Rates"],
        bodies=[f"Unrelated opening. {long_sentence}"],
        chunk_vectors=np.stack([unit(1, 0)]),
        chunk_article_ids=np.array([3]),
    )
    [match] = match_articles(build_topic_set([topic(1, unit(1, 0), phrase="rates")], None), new)
    assert match.reason.startswith("Rates went up again")
    assert match.reason.endswith("…")
    assert len(match.reason) <= MAX_REASON_CHARS


def clustered(rng: np.random.Generator, centres: np.ndarray, per: int, spread: float) -> np.ndarray:
    rows = np.repeat(centres, per, axis=0)
    return l2_normalise(rows + spread * rng.standard_normal(rows.shape).astype(np.float32))


def test_one_subscription_never_depends_on_another() -> None:
    rng = np.random.default_rng(3)
    dim = 24
    centres = l2_normalise(rng.standard_normal((4, dim)).astype(np.float32))
    background = build_background(clustered(rng, centres, 60, 0.25))
    fresh = clustered(rng, centres, 10, 0.25)
    new = NewArticles(
        article_ids=list(range(100, 140)),
        titles=[""] * 40,
        bodies=[""] * 40,
        chunk_vectors=fresh,
        chunk_article_ids=np.arange(100, 140),
    )
    # Near one cluster: a topic spread over half the corpus is left to the direct route.
    first = AlertTopic(1, l2_normalise(centres[:1] + 0.2 * rng.standard_normal((1, dim))))
    others = [AlertTopic(i, l2_normalise(rng.standard_normal((2, dim)))) for i in range(2, 30)]
    settings = MatchSettings(direct_threshold=0.5)
    single = build_topic_set([first], background)
    alone = match_articles(single, new, settings=settings)
    together = match_articles(build_topic_set([first, *others], background), new, settings=settings)
    # Not vacuous: both routes send alerts to the first subscription.
    assert single.profiles.covered[0]
    assert any(m.score < 0.5 for m in alone)
    assert any(m.score >= 0.5 for m in alone)
    assert [m for m in together if m.subscription_id == 1] == alone


def test_blocks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    vectors = l2_normalise(rng.standard_normal((30, DIM)).astype(np.float32))
    owners = np.repeat(np.arange(10), 3)
    new = NewArticles(
        article_ids=list(range(10)),
        titles=[""] * 10,
        bodies=["A sentence."] * 10,
        chunk_vectors=vectors,
        chunk_article_ids=owners,
    )
    topics = [AlertTopic(i, l2_normalise(rng.standard_normal((1 + i % 3, DIM)))) for i in range(12)]
    topic_set = build_topic_set(topics, None)
    settings = MatchSettings(direct_threshold=0.3)
    whole = match_articles(topic_set, new, settings=settings)
    monkeypatch.setattr(alert_scoring, "BLOCK_CELLS", 31)  # about one topic per block
    assert match_articles(topic_set, new, settings=settings) == whole
    assert whole


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="same length"):
        NewArticles([1, 2], ["t"], ["b", "b"], np.zeros((1, DIM)), np.array([1]))
    with pytest.raises(ValueError, match="one chunk article id"):
        NewArticles([1], ["t"], ["b"], np.zeros((2, DIM)), np.array([1]))
    topic_set = build_topic_set([topic(1, unit(1, 0))], None)
    stray = NewArticles([1], ["t"], ["b"], np.stack([unit(1, 0)]), np.array([9]))
    with pytest.raises(ValueError, match="not in article_ids"):
        match_articles(topic_set, stray)
    chunkless = NewArticles([1, 2], ["t", "u"], ["b", "c"], np.stack([unit(1, 0)]), np.array([1]))
    with pytest.raises(ValueError, match="at least one chunk"):
        match_articles(topic_set, chunkless)
    with pytest.raises(ValueError, match="dimension"):
        build_topic_set([topic(1, unit(1, 0)), AlertTopic(2, np.ones((1, 3)))], None)


def test_nothing_to_match_gives_no_alerts() -> None:
    new = articles([(1, unit(1, 0), "Text.")])
    assert match_articles(build_topic_set([], None), new) == []
    empty = NewArticles([], [], [], np.zeros((0, DIM), dtype=np.float32), np.zeros(0))
    assert match_articles(build_topic_set([topic(1, unit(1, 0))], None), empty) == []


def test_matches_are_frozen_values() -> None:
    match = AlertMatch(subscription_id=1, article_id=2, score=0.5, reason="Why.")
    with pytest.raises(AttributeError):
        match.score = 0.9  # type: ignore[misc]
