"""Topic-alert matching: every new article against every active subscription at once.

Per block of subscriptions, two matrix routes (see `alert_defaults` for the measurements):

- direct: topic part vectors x chunk vectors (one product), max over each article's chunks
  (its best chunk) and over the topic's parts; alert at `direct_threshold` and above;
- corpus: the articles' neighbour averages over the background (one sparse product with
  the subscriptions' propagated background scores), alert at each profile's own cut-off.

Then the +word / -word filters and the reason sentence, in Python, for matched pairs only.
Each subscription is scored on its own: adding or removing another subscription never
changes its alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.protocols import Embedder, FloatMatrix, IdArray
from index.tokenize import tokenize
from retrieval.alert_background import Background, article_vectors, neighbour_average
from retrieval.alert_defaults import DIRECT_THRESHOLD
from retrieval.alert_profiles import (
    CorpusSettings,
    FittedProfiles,
    ProfileFitter,
    TopicProfiles,
    fit_topic_profiles,
    update_profiles,
)
from retrieval.alert_reason import pick_reasons
from retrieval.alert_scoring import ChunkLayout, corpus_hits, direct_scores, topic_blocks
from retrieval.topics import term_tokens, words_allow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AlertMatch:
    """One alert: `score` is the cosine of the topic to the article's best chunk, `reason`
    a sentence of the article."""

    subscription_id: int
    article_id: int
    score: float
    reason: str


@dataclass(frozen=True, eq=False)
class AlertTopic:
    """An active subscription as the matcher sees it. `vectors` come from `embed_topic`."""

    subscription_id: int
    vectors: FloatMatrix  # (n_parts, d) unit rows
    phrase: str = ""
    must_words: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class TopicSet:
    """Subscriptions ready to match: topics, their stacked part vectors, corpus profiles."""

    topics: tuple[AlertTopic, ...]
    parts: FloatMatrix  # (P, d)
    part_owner: IdArray  # (P,) index into topics, non-decreasing
    fitted: FittedProfiles  # the profiles, and what they were fitted from (for reuse)
    background: Background | None

    @property
    def profiles(self) -> TopicProfiles:
        return self.fitted.profiles


@dataclass(frozen=True, eq=False)
class NewArticles:
    """Newly indexed articles: texts, and chunk vectors as computed by indexing."""

    article_ids: Sequence[int]
    titles: Sequence[str]
    bodies: Sequence[str]
    chunk_vectors: FloatMatrix  # (n, d) unit rows
    chunk_article_ids: IdArray  # (n,) values from article_ids
    chunk_texts: Sequence[str] | None = None  # passages, for the reason sentence

    def __post_init__(self) -> None:
        count = len(self.article_ids)
        if len(self.titles) != count or len(self.bodies) != count:
            raise ValueError("article_ids, titles and bodies must have the same length")
        if len(self.chunk_vectors) != len(self.chunk_article_ids):
            raise ValueError("one chunk article id per chunk vector")
        if self.chunk_texts is not None and len(self.chunk_texts) != len(self.chunk_vectors):
            raise ValueError("one chunk text per chunk vector")


@dataclass(frozen=True)
class MatchSettings:
    """`direct_threshold`: the ALERT_THRESHOLD setting, a cosine; `corpus_route`: whether
    covered topics also alert through the background (see `alert_defaults`)."""

    direct_threshold: float = DIRECT_THRESHOLD
    corpus_route: bool = True

    def __post_init__(self) -> None:
        if not -1.0 <= self.direct_threshold <= 1.0:
            raise ValueError("direct_threshold must be a cosine, between -1 and 1")


_DEFAULT_SETTINGS = MatchSettings()
_DEFAULT_CORPUS = CorpusSettings()


def build_topic_set(
    topics: Sequence[AlertTopic],
    background: Background | None,
    corpus_settings: CorpusSettings = _DEFAULT_CORPUS,
    *,
    previous: TopicSet | None = None,
    fit: ProfileFitter = fit_topic_profiles,
) -> TopicSet:
    """Stack the topics' vectors and fit their corpus profiles against `background`.

    With `previous` (the set this one replaces), a topic whose vectors it already had, on
    the same background and settings, keeps its profile: only new or changed topics are
    fitted (`alert_profiles.update_profiles`). `fit` is the fitter (a seam for tests).
    """
    vectors = [np.atleast_2d(np.asarray(t.vectors, dtype=np.float32)) for t in topics]
    if any(len(v) == 0 for v in vectors):
        raise ValueError("every topic needs at least one vector")
    dims = {v.shape[1] for v in vectors} | ({background.vectors.shape[1]} if background else set())
    if len(dims) > 1:
        raise ValueError(f"topic and background vectors differ in dimension: {sorted(dims)}")
    parts = np.concatenate(vectors) if vectors else np.zeros((0, 1), dtype=np.float32)
    owner = np.repeat(np.arange(len(vectors)), [len(v) for v in vectors]).astype(np.int64)
    fitted = update_profiles(
        vectors,
        background,
        corpus_settings,
        previous=previous.fitted if previous is not None else None,
        fit=fit,
    )
    return TopicSet(tuple(topics), parts, owner, fitted, background)


def match_articles(
    topic_set: TopicSet,
    articles: NewArticles,
    *,
    settings: MatchSettings = _DEFAULT_SETTINGS,
    reason_embedder: Embedder | None = None,
) -> list[AlertMatch]:
    """All (subscription, article) alerts, ordered by subscription, then article."""
    if not topic_set.topics or not len(articles.article_ids):
        return []
    layout, topics, positions, scores = score_pairs(topic_set, articles, settings)
    pairs = zip(topics.tolist(), positions.tolist(), scores.tolist(), strict=True)
    matches = _finish(topic_set, articles, layout, list(pairs), reason_embedder)
    logger.debug(
        "%d articles x %d subscriptions: %d pairs scored above a cut-off, %d alerts",
        len(articles.article_ids),
        len(topic_set.topics),
        len(topics),
        len(matches),
    )
    return matches


def score_pairs(
    topic_set: TopicSet, articles: NewArticles, settings: MatchSettings = _DEFAULT_SETTINGS
) -> tuple[ChunkLayout, IdArray, IdArray, FloatMatrix]:
    """The matrix part: topic indices, article positions and best-chunk cosines (rounded to
    4 places) of every pair either route accepts, before word filters and reasons."""
    layout = ChunkLayout.of(
        np.asarray(articles.article_ids), articles.chunk_article_ids, articles.chunk_vectors
    )
    if not topic_set.topics or not len(articles.article_ids):
        nothing = np.zeros(0, dtype=np.int64)
        return layout, nothing, nothing, np.zeros(0, dtype=np.float64)
    neighbours = None
    background = topic_set.background
    if settings.corpus_route and background is not None and topic_set.profiles.covered.any():
        _, vectors = article_vectors(articles.chunk_vectors, layout.positions)
        neighbours = neighbour_average(vectors, background)
    topics, positions, scores = [], [], []
    blocks = topic_blocks(topic_set.part_owner, len(topic_set.topics), len(layout.order))
    for first, last in blocks:
        direct = direct_scores(topic_set.parts, topic_set.part_owner, first, last, layout)
        hits = direct >= settings.direct_threshold
        if neighbours is not None:
            hits |= corpus_hits(topic_set.profiles, first, last, neighbours)
        rows, columns = np.nonzero(hits)
        topics.append(rows + first)
        positions.append(columns)
        scores.append(np.round(direct[rows, columns].astype(np.float64), 4))
    return layout, np.concatenate(topics), np.concatenate(positions), np.concatenate(scores)


def _finish(
    topic_set: TopicSet,
    articles: NewArticles,
    layout: ChunkLayout,
    pairs: list[tuple[int, int, float]],
    reason_embedder: Embedder | None,
) -> list[AlertMatch]:
    """Word filters, then a reason sentence, for the matched pairs only."""
    tokens: dict[int, tuple[list[str], frozenset[str]]] = {}
    filters = [
        ([term_tokens(w) for w in t.must_words], [term_tokens(w) for w in t.exclude_words])
        for t in topic_set.topics
    ]
    kept: list[tuple[int, int, float]] = []
    for topic, article, score in pairs:
        must, exclude = filters[topic]
        if must or exclude:
            if article not in tokens:
                words = tokenize(f"{articles.titles[article]}\n{articles.bodies[article]}")
                tokens[article] = (words, frozenset(words))
            if not words_allow(*tokens[article], must, exclude):
                continue
        kept.append((topic, article, score))
    if articles.chunk_texts is not None:
        passages: Sequence[str] = articles.chunk_texts
        single = (np.diff(np.r_[layout.starts, len(layout.order)]) == 1).tolist()
        first_chunk = layout.order[layout.starts].tolist()
        requests = [
            (t, first_chunk[a] if single[a] else _best_chunk(topic_set, layout, t, a))
            for t, a, _ in kept
        ]
    else:
        passages = articles.bodies
        requests = [(t, a) for t, a, _ in kept]
    reasons = pick_reasons(
        requests,
        passages,
        [_topic_terms(t) for t in topic_set.topics],
        [t.vectors for t in topic_set.topics],
        reason_embedder,
    )
    subscription_ids = [t.subscription_id for t in topic_set.topics]
    article_ids = [int(a) for a in articles.article_ids]
    return [
        AlertMatch(subscription_ids[t], article_ids[a], score, reason or articles.titles[a])
        for (t, a, score), reason in zip(kept, reasons, strict=True)
    ]


def _best_chunk(topic_set: TopicSet, layout: ChunkLayout, topic: int, article: int) -> int:
    """The caller's index of the article chunk nearest to the topic."""
    start, end = layout.run_of(article)
    first, last = np.searchsorted(topic_set.part_owner, [topic, topic + 1])
    sims = topic_set.parts[first:last] @ layout.vectors[start:end].T
    return int(layout.order[start + int(np.argmax(sims.max(axis=0)))])


def _topic_terms(topic: AlertTopic) -> frozenset[str]:
    return frozenset(tokenize(" ".join((topic.phrase, *topic.must_words))))
