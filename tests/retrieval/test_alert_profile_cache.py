"""Corpus profiles are fitted once per topic and background: only what changed is refitted.

Fits are counted through the injected fitter (the real one, wrapped), never by time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from index.embedding import l2_normalise
from index.protocols import FloatMatrix
from retrieval.alert_background import Background, build_background
from retrieval.alert_profiles import (
    CorpusSettings,
    TopicProfiles,
    fit_topic_profiles,
    topic_key,
    update_profiles,
)
from retrieval.alerts import AlertTopic, TopicSet, build_topic_set

DIM = 32


class CountingFitter:
    """The real fitter, recording how many topics each call fitted."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(
        self,
        topic_vectors: Sequence[FloatMatrix],
        background: Background | None,
        settings: CorpusSettings,
    ) -> TopicProfiles:
        self.calls.append(len(topic_vectors))
        return fit_topic_profiles(topic_vectors, background, settings)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(5)


@pytest.fixture
def articles(rng: np.random.Generator) -> FloatMatrix:
    """Four clusters of 60 article vectors."""
    centres = l2_normalise(rng.standard_normal((4, DIM)).astype(np.float32))
    rows = np.repeat(centres, 60, axis=0)
    return l2_normalise(rows + 0.15 * rng.standard_normal(rows.shape)).astype(np.float32)


@pytest.fixture
def background(articles: FloatMatrix) -> Background:
    return build_background(articles)


def topics_near(background: Background, count: int, rng: np.random.Generator) -> list[AlertTopic]:
    """Topics near background articles (most are covered), one or two parts each."""
    topics = []
    for index in range(count):
        anchors = background.vectors[rng.choice(len(background), size=1 + index % 2)]
        vectors = l2_normalise(anchors + 0.6 * rng.standard_normal(anchors.shape))
        topics.append(AlertTopic(index + 1, vectors.astype(np.float32), phrase=f"topic {index}"))
    return topics


def assert_same_profiles(got: TopicSet, want: TopicSet) -> None:
    assert got.profiles.covered.tolist() == want.profiles.covered.tolist()
    np.testing.assert_allclose(got.profiles.scores, want.profiles.scores, atol=1e-5)
    np.testing.assert_allclose(got.profiles.cutoffs, want.profiles.cutoffs, atol=1e-5)


def test_adding_one_subscription_fits_only_its_profile(background, rng) -> None:
    topics = topics_near(background, 30, rng)
    fitter = CountingFitter()
    first = build_topic_set(topics[:-1], background, fit=fitter)
    assert fitter.calls == [29]
    assert first.profiles.covered.sum() > 10  # the route is really in use
    added = build_topic_set(topics, background, previous=first, fit=fitter)
    assert fitter.calls == [29, 1]
    assert added.fitted.fitted == 1
    assert_same_profiles(added, build_topic_set(topics, background))


def test_removing_or_reordering_fits_nothing_and_a_changed_topic_only_itself(
    background, rng
) -> None:
    topics = topics_near(background, 12, rng)
    fitter = CountingFitter()
    full = build_topic_set(topics, background, fit=fitter)
    fewer = [*reversed(topics[:5]), *topics[6:]]
    smaller = build_topic_set(fewer, background, previous=full, fit=fitter)
    assert fitter.calls == [12]  # every profile was already fitted
    assert_same_profiles(smaller, build_topic_set(fewer, background))
    # A subscription whose phrase changed has new vectors: only it is fitted again.
    changed = replace(topics[3], vectors=topics_near(background, 1, rng)[0].vectors)
    edited = [*topics[:3], changed, *topics[4:]]
    refitted = build_topic_set(edited, background, previous=full, fit=fitter)
    assert fitter.calls == [12, 1]
    assert_same_profiles(refitted, build_topic_set(edited, background))


def test_the_same_background_rebuilt_keeps_profiles_and_another_refits_all(
    articles, background, rng
) -> None:
    topics = topics_near(background, 8, rng)
    fitter = CountingFitter()
    first = build_topic_set(topics, background, fit=fitter)
    rebuilt = build_background(articles.copy())  # a daily rebuild with the same articles
    assert rebuilt is not background
    assert rebuilt.key == background.key
    same = build_topic_set(topics, rebuilt, previous=first, fit=fitter)
    assert fitter.calls == [8]
    assert same.profiles is first.profiles  # nothing changed, nothing copied
    moved = build_background(articles[20:])  # the corpus moved on
    assert moved.key != background.key
    build_topic_set(topics, moved, previous=first, fit=fitter)
    assert fitter.calls == [8, 8]  # profiles are per background article: all refitted
    looser = CorpusSettings(seed_cosine=0.1)
    build_topic_set(topics, background, looser, previous=first, fit=fitter)
    assert fitter.calls == [8, 8, 8]  # other settings: all refitted


def test_identical_topics_share_one_fit(background, rng) -> None:
    [topic] = topics_near(background, 1, rng)
    copies = [replace(topic, subscription_id=i) for i in range(5)]
    fitter = CountingFitter()
    topic_set = build_topic_set(copies, background, fit=fitter)
    assert fitter.calls == [1]
    assert len(topic_set.profiles) == 5
    assert_same_profiles(topic_set, build_topic_set([topic] * 5, background))


def test_without_a_background_nothing_is_covered_and_reuse_still_holds(rng) -> None:
    vectors = [l2_normalise(rng.standard_normal((1, DIM)).astype(np.float32)) for _ in range(3)]
    fitter = CountingFitter()
    first = update_profiles(vectors[:2], None, fit=fitter)
    second = update_profiles(vectors, None, previous=first, fit=fitter)
    assert fitter.calls == [2, 1]
    assert second.profiles.covered.tolist() == [False] * 3
    assert second.profiles.scores.shape == (3, 0)


def test_topic_key_follows_the_exact_vectors(rng) -> None:
    vectors = rng.standard_normal((2, DIM)).astype(np.float32)
    assert topic_key(vectors) == topic_key(vectors.copy())
    assert topic_key(vectors) != topic_key(vectors[:1])
    nudged = vectors.copy()
    nudged[0, 0] += 1e-3
    assert topic_key(vectors) != topic_key(nudged)
