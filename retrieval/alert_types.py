"""The values topic-alert matching works on (`alerts.py`): subscriptions, new articles,
settings, candidate pairs, matches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.protocols import FloatMatrix, IdArray
from retrieval.alert_anchors import FittedAnchors
from retrieval.alert_background import Background
from retrieval.alert_defaults import DIRECT_THRESHOLD, INSIDE_PERCENTILE, MIN_DIRECT_SCORE
from retrieval.alert_profiles import FittedProfiles, TopicProfiles
from retrieval.alert_scoring import ChunkLayout


@dataclass(frozen=True)
class AlertMatch:
    """One alert: `score` is the cosine of the topic to the article's best chunk (embedded
    without the outlet when the matcher had an embedder), `reason` a sentence of the article."""

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
    # each topic's anchors (`alert_lexicon`): with any, a corpus-route alert must name one
    anchored: FittedAnchors | None = None

    @property
    def profiles(self) -> TopicProfiles:
        return self.fitted.profiles

    @property
    def anchors(self) -> tuple[frozenset[str], ...]:
        if self.anchored is None:
            return tuple(frozenset() for _ in self.topics)
        return self.anchored.anchors


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
    covered topics also alert through the background; `min_score`: the cosine every alert
    needs, whatever its route (never negative); `inside_percentile`: how close an article's
    background neighbours must be for the corpus route to vouch for it (see
    `alert_defaults`)."""

    direct_threshold: float = DIRECT_THRESHOLD
    corpus_route: bool = True
    min_score: float = MIN_DIRECT_SCORE
    inside_percentile: float = INSIDE_PERCENTILE

    def __post_init__(self) -> None:
        if not -1.0 <= self.direct_threshold <= 1.0:
            raise ValueError("direct_threshold must be a cosine, between -1 and 1")
        if not 0.0 <= self.min_score <= 1.0:
            raise ValueError("min_score must be a cosine between 0 and 1")
        if not 0.0 <= self.inside_percentile <= 100.0:
            raise ValueError("inside_percentile must be between 0 and 100")


@dataclass(frozen=True, eq=False)
class Candidates:
    """Pairs near an alert by the indexed vectors (`score_pairs`), before the word filters,
    the re-scoring without the outlet and the floor."""

    layout: ChunkLayout
    topics: IdArray  # index into the topic set
    positions: IdArray  # article position in the NewArticles
    scores: FloatMatrix  # best-chunk cosine, rounded to 4 places
    corpus: np.ndarray  # bool: the corpus route vouches for the pair
