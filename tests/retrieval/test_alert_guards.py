"""What keeps a route from turning an unrelated article into an alert (hand-made vectors)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from index.chunking import chunk_article
from index.embedding import HashingEmbedder, l2_normalise
from index.types import Article
from retrieval.alert_background import Background, build_background, neighbour_average
from retrieval.alert_profiles import fit_topic_profiles
from retrieval.alerts import AlertTopic, MatchSettings, NewArticles, build_topic_set, match_articles
from retrieval.topic_embedding import embed_topic

DIM = 32


@pytest.fixture
def world() -> tuple[np.ndarray, Background, np.random.Generator]:
    """Three clusters of 80 background articles: (centres, background, rng)."""
    rng = np.random.default_rng(11)
    centres = l2_normalise(rng.standard_normal((3, DIM)).astype(np.float32))
    rows = np.repeat(centres, 80, axis=0)
    noise = 0.1 * rng.standard_normal(rows.shape).astype(np.float32)
    return centres, build_background(l2_normalise(rows + noise)), rng


def with_cosines(a: np.ndarray, b: np.ndarray, to_a: float, to_b: float, rng) -> np.ndarray:
    """A unit vector at cosine `to_a` to the unit `a` and `to_b` to the unit `b`."""
    across = b - (b @ a) * a
    across /= np.linalg.norm(across)
    along = (to_b - to_a * (a @ b)) / (b @ across)
    other = rng.standard_normal(a.shape).astype(np.float32)
    other -= (other @ a) * a + (other @ across) * across
    other /= np.linalg.norm(other)
    rest = np.sqrt(1 - to_a**2 - along**2)
    return (to_a * a + along * across + rest * other).astype(np.float32)


def single_chunks(vectors: np.ndarray) -> NewArticles:
    count = len(vectors)
    return NewArticles(
        article_ids=list(range(count)),
        titles=[""] * count,
        bodies=["Body."] * count,
        chunk_vectors=vectors.astype(np.float32),
        chunk_article_ids=np.arange(count),
    )


def test_the_corpus_route_never_sends_an_article_pointing_away_from_the_topic(world) -> None:
    centres, background, rng = world
    phrase = with_cosines(centres[0], centres[1], 0.5, 0.0, rng)  # a topic of cluster 0
    member = l2_normalise(centres[:1] + 0.1 * rng.standard_normal((1, DIM)))[0]
    # Inside cluster 0 (its neighbours are the topic's), but at cosine -0.05 to the topic.
    away = with_cosines(centres[0], phrase, 0.8, -0.05, rng)
    topic_set = build_topic_set([AlertTopic(1, phrase[None, :])], background)
    found = match_articles(
        topic_set, single_chunks(np.stack([member, away])), settings=MatchSettings(0.6)
    )
    assert [m.article_id for m in found] == [0]  # the member, by the corpus route (< 0.6)
    assert all(m.score >= 0 for m in found)


def test_the_corpus_route_does_not_vouch_for_an_article_outside_the_corpus(world) -> None:
    centres, background, rng = world
    phrase = with_cosines(centres[0], centres[1], 0.5, 0.0, rng)
    member = l2_normalise(centres[:1] + 0.1 * rng.standard_normal((1, DIM)))[0]
    # Nearer cluster 0 than any other, yet far from every background article (cosine ~0.3).
    outside = with_cosines(centres[0], phrase, 0.3, 0.15, rng)
    topic_set = build_topic_set([AlertTopic(1, phrase[None, :])], background)
    found = match_articles(
        topic_set, single_chunks(np.stack([member, outside])), settings=MatchSettings(0.6)
    )
    assert [m.article_id for m in found] == [0]


def test_a_topic_claiming_most_of_the_background_is_left_to_the_direct_route(world) -> None:
    centres, background, _ = world
    flooding = l2_normalise((centres[0] + centres[1])[None, :])  # two clusters of three
    profiles = fit_topic_profiles([flooding, centres[:1]], background)
    assert profiles.covered.tolist() == [False, True]
    assert profiles.cutoffs[0] == np.inf


def test_an_article_already_in_the_background_is_not_its_own_neighbour(world) -> None:
    _, background, _ = world
    # New articles are among the newest, of which the background is made: each is averaged
    # over its neighbours as the background's own articles are, never over itself.
    averaging = neighbour_average(background.vectors[:5], background)
    assert (averaging != background.self_neighbours[:5]).nnz == 0


def test_the_outlet_in_the_chunk_header_is_no_evidence() -> None:
    embedder = HashingEmbedder(dimension=256)
    when = datetime(2026, 11, 30, tzinfo=UTC)
    items = [
        Article(
            "New bakery opens downtown",
            "A family bakery opened on Main Street, selling bread and cinnamon rolls. "
            "Neighbours queued for the first loaves.",
            source="Aircraft Weekly",
            published_at=when,
        ),
        Article(
            "Airline orders new aircraft",
            "The airline ordered thirty aircraft to replace its ageing fleet. The first "
            "aircraft arrive next year.",
            source="Aircraft Weekly",
            published_at=when,
        ),
    ]
    chunks = [(i, c) for i, a in enumerate(items) for c in chunk_article(a)]
    assert "Aircraft Weekly" in chunks[0][1].embed_text  # what the index embeds
    new = NewArticles(
        article_ids=[10, 11],
        titles=[a.title for a in items],
        bodies=[a.body for a in items],
        chunk_vectors=embedder.embed([c.embed_text for _, c in chunks]),
        chunk_article_ids=np.array([10 + i for i, _ in chunks]),
        chunk_texts=[c.text for _, c in chunks],
    )
    topic = AlertTopic(1, embed_topic("aircraft", embedder), phrase="aircraft")
    settings = MatchSettings(direct_threshold=0.2)
    topic_set = build_topic_set([topic], None)
    # By the indexed vectors the bakery is at 0.25 (its header names "Aircraft"); its own
    # text is at 0.18.
    found = match_articles(topic_set, new, settings=settings, reason_embedder=embedder)
    assert [m.article_id for m in found] == [11]
    assert found[0].score == pytest.approx(
        float((topic.vectors @ embedder.embed([f"{items[1].title}\n{items[1].body}"]).T).max()),
        abs=1e-4,
    )


def test_match_settings_refuse_a_negative_floor() -> None:
    with pytest.raises(ValueError, match="min_score"):
        MatchSettings(min_score=-0.1)
    with pytest.raises(ValueError, match="inside_percentile"):
        MatchSettings(inside_percentile=101)
