"""Candidate pairs: the matrix part of matching (`alerts.py`), both routes over every
subscription x article pair in blocks, on the indexed vectors."""

from __future__ import annotations

import numpy as np

from retrieval.alert_background import article_vectors, neighbourhood
from retrieval.alert_scoring import ChunkLayout, corpus_hits, direct_scores, topic_blocks
from retrieval.alert_types import Candidates, MatchSettings, NewArticles, TopicSet

_DEFAULT_SETTINGS = MatchSettings()


def score_pairs(
    topic_set: TopicSet,
    articles: NewArticles,
    settings: MatchSettings = _DEFAULT_SETTINGS,
    *,
    margin: float = 0.0,
) -> Candidates:
    """The matrix part: every pair whose best-chunk cosine reaches the direct threshold, or
    the floor when the corpus route vouches for it, each less `margin` (room for the
    re-scoring without the outlet to move it)."""
    layout = ChunkLayout.of(
        np.asarray(articles.article_ids), articles.chunk_article_ids, articles.chunk_vectors
    )
    if not topic_set.topics or not len(articles.article_ids):
        nothing = np.zeros(0, dtype=np.int64)
        return Candidates(
            layout, nothing, nothing, np.zeros(0, dtype=np.float64), np.zeros(0, dtype=bool)
        )
    neighbours = None
    inside = np.zeros(len(layout.starts), dtype=bool)  # the articles the corpus covers
    background = topic_set.background
    if settings.corpus_route and background is not None and topic_set.profiles.covered.any():
        _, vectors = article_vectors(articles.chunk_vectors, layout.positions)
        neighbours, closeness = neighbourhood(vectors, background)
        # Outside the corpus an article's nearest background articles are merely the least
        # far: their topic scores say nothing about it.
        inside = closeness >= background.inside_cut(settings.inside_percentile)
    topics, positions, scores, corpus = [], [], [], []
    blocks = topic_blocks(topic_set.part_owner, len(topic_set.topics), len(layout.order))
    for first, last in blocks:
        direct = direct_scores(topic_set.parts, topic_set.part_owner, first, last, layout)
        hits = direct >= settings.direct_threshold - margin
        vouched = np.zeros_like(hits)
        if neighbours is not None:
            vouched = corpus_hits(topic_set.profiles, first, last, neighbours) & inside
            hits |= vouched
        hits &= direct >= settings.min_score - margin
        rows, columns = np.nonzero(hits)
        topics.append(rows + first)
        positions.append(columns)
        scores.append(np.round(direct[rows, columns].astype(np.float64), 4))
        corpus.append(vouched[rows, columns])
    return Candidates(
        layout,
        np.concatenate(topics),
        np.concatenate(positions),
        np.concatenate(scores),
        np.concatenate(corpus),
    )
