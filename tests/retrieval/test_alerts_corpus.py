"""The corpus route: background graph, Otsu cut-offs, topic profiles, on synthetic clusters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index.embedding import l2_normalise
from retrieval.alert_background import article_vectors, build_background, neighbour_average
from retrieval.alert_profiles import CorpusSettings, fit_topic_profiles, otsu_thresholds
from retrieval.alerts import AlertTopic, MatchSettings, NewArticles, build_topic_set, match_articles

DIM = 32


@pytest.fixture
def world() -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Three clusters of 80 background articles; returns (centres, background vectors, rng)."""
    rng = np.random.default_rng(11)
    centres = l2_normalise(rng.standard_normal((3, DIM)).astype(np.float32))
    rows = np.repeat(centres, 80, axis=0)
    noise = 0.1 * rng.standard_normal(rows.shape).astype(np.float32)
    return centres, l2_normalise(rows + noise), rng


def near(vector: np.ndarray, cosine: float, rng: np.random.Generator) -> np.ndarray:
    """A unit vector at exactly `cosine` to the unit `vector`."""
    other = rng.standard_normal(vector.shape).astype(np.float32)
    other -= other @ vector * vector
    other /= np.linalg.norm(other)
    return (cosine * vector + np.sqrt(1 - cosine**2) * other).astype(np.float32)


def test_article_vectors_average_chunks() -> None:
    chunks = np.array([[1, 0], [0, 1], [1, 0]], dtype=np.float32)
    ids, vectors = article_vectors(chunks, np.array([7, 7, 3]))
    assert ids.tolist() == [3, 7]
    np.testing.assert_allclose(vectors, [[1, 0], [np.sqrt(0.5), np.sqrt(0.5)]], atol=1e-6)


def test_background_graph_and_neighbours(world) -> None:
    _, vectors, _ = world
    background = build_background(vectors, neighbours=5)
    assert len(background) == 240
    np.testing.assert_allclose(background.graph.sum(axis=1), 1.0, atol=1e-5)
    assert background.self_neighbours.diagonal().sum() == 0  # never its own neighbour
    assert (np.diff(background.self_neighbours.indptr) == 5).all()
    averaging = neighbour_average(vectors[:3], background)
    np.testing.assert_allclose(averaging.sum(axis=1), 1.0, atol=1e-6)
    assert averaging[[0], [0]] == 0  # an article is not its own neighbour


def test_otsu_splits_two_groups_and_refuses_a_flat_row() -> None:
    values = np.array([[0.0, 0.1, 0.05, 0.9, 1.0, 0.95], [0.3] * 6], dtype=np.float32)
    cuts = otsu_thresholds(values)
    assert 0.1 < cuts[0] < 0.9
    assert cuts[1] == np.inf


def test_a_covered_topic_reaches_its_cluster_and_no_other(world) -> None:
    centres, vectors, rng = world
    background = build_background(vectors)
    # The phrase sits at cosine 0.5 to its cluster's centre: members are seeds, others not.
    phrase = near(centres[0], 0.5, rng)
    # New articles spread like the background's (inside the corpus, see the test below).
    fresh = l2_normalise(np.repeat(centres, 5, axis=0) + 0.1 * rng.standard_normal((15, DIM)))
    new = NewArticles(
        article_ids=list(range(15)),
        titles=[""] * 15,
        bodies=["Body."] * 15,
        chunk_vectors=fresh.astype(np.float32),
        chunk_article_ids=np.arange(15),
    )
    topic_set = build_topic_set([AlertTopic(1, phrase[None, :])], background)
    assert topic_set.profiles.covered.tolist() == [True]
    strict = 0.6  # above every article's cosine to the phrase (0.34-0.45 for its own)
    direct_only = match_articles(
        topic_set, new, settings=MatchSettings(direct_threshold=strict, corpus_route=False)
    )
    both = match_articles(topic_set, new, settings=MatchSettings(direct_threshold=strict))
    assert direct_only == []  # no article is close enough to the phrase on its own
    assert sorted(m.article_id for m in both) == [0, 1, 2, 3, 4]


def test_an_absent_topic_is_not_covered_and_sends_nothing(world) -> None:
    centres, vectors, rng = world
    background = build_background(vectors)
    far_away = l2_normalise(rng.standard_normal((1, DIM)).astype(np.float32))
    far_away -= (far_away @ centres.T) @ centres  # roughly orthogonal to every cluster
    profiles = fit_topic_profiles([l2_normalise(far_away)], background)
    assert profiles.covered.tolist() == [False]
    assert profiles.cutoffs[0] == np.inf


def test_small_backgrounds_switch_the_corpus_route_off(world) -> None:
    centres, vectors, _ = world
    tiny = build_background(vectors[:50])
    assert not fit_topic_profiles([centres[:1]], tiny).covered.any()
    assert not fit_topic_profiles([centres[:1]], None).covered.any()
    loose = replace(CorpusSettings(), min_background=10)
    assert fit_topic_profiles([centres[:1]], tiny, loose).covered.any()


def test_corpus_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="alpha"):
        CorpusSettings(alpha=1.0)
