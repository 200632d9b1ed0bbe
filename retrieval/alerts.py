"""Topic-alert matching: every new article against every active subscription at once.

Per block of subscriptions, two matrix routes (`alert_candidates`; see `alert_defaults` for
the measurements):

- direct: topic part vectors x chunk vectors (one product), max over each article's chunks
  (its best chunk) and over the topic's parts; alert at `direct_threshold` and above;
- corpus: the articles' neighbour averages over the background (one sparse product with
  the subscriptions' propagated background scores), alert at each profile's own cut-off,
  for articles inside the corpus only (`Background.inside_cut`); for a topic with anchors
  (words that name it, `alert_lexicon`), only for articles that name one.

That gives candidates. Then, in Python, for candidates only: the +word / -word filters; with
an embedder, the best chunk scored again without the outlet (`alert_rescore`); the floor
that every alert needs (`min_score`: a route may widen a topic among relevant articles, never
send an unrelated one); the reason sentence (from the matched chunk with its paragraph
breaks put back, `alert_passages`). Each subscription is scored on its own: adding
or removing another subscription never changes its alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from index.protocols import Embedder
from index.tokenize import tokenize
from retrieval.alert_anchors import update_anchors
from retrieval.alert_background import Background
from retrieval.alert_candidates import score_pairs
from retrieval.alert_defaults import RESCORE_MARGIN
from retrieval.alert_lexicon import word_keys
from retrieval.alert_passages import with_paragraphs
from retrieval.alert_profiles import (
    CorpusSettings,
    ProfileFitter,
    fit_topic_profiles,
    update_profiles,
)
from retrieval.alert_reason import pick_reasons
from retrieval.alert_rescore import alert_text, rescore
from retrieval.alert_scoring import ChunkLayout
from retrieval.alert_types import (
    AlertMatch,
    AlertTopic,
    Candidates,
    MatchSettings,
    NewArticles,
    TopicSet,
)
from retrieval.topics import term_tokens, words_allow

# The matcher's values live in alert_types, the matrix part in alert_candidates; callers
# import them from here.
__all__ = [
    "AlertMatch",
    "AlertTopic",
    "Candidates",
    "MatchSettings",
    "NewArticles",
    "TopicSet",
    "build_topic_set",
    "match_articles",
    "score_pairs",
]

logger = logging.getLogger(__name__)

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
    the same background and settings, keeps its profile (and, with the same phrase, its
    anchors): only new or changed topics are fitted (`alert_profiles.update_profiles`,
    `alert_anchors.update_anchors`). `fit` is the fitter (a seam for tests).
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
    anchored = update_anchors(
        [t.phrase for t in topics],
        vectors,
        background,
        corpus_settings.anchor_precision,
        previous=previous.anchored if previous is not None else None,
    )
    return TopicSet(tuple(topics), parts, owner, fitted, background, anchored)


def match_articles(
    topic_set: TopicSet,
    articles: NewArticles,
    *,
    settings: MatchSettings = _DEFAULT_SETTINGS,
    reason_embedder: Embedder | None = None,
    rescore_embedder: Embedder | None = None,
) -> list[AlertMatch]:
    """All (subscription, article) alerts, ordered by subscription, then article.

    `reason_embedder`, the articles' model, picks the reason sentence by meaning and, unless
    `rescore_embedder` is given, embeds each candidate's best chunk again without the outlet
    (the bot passes one embedder for both). `rescore_embedder` does only the latter (the
    evaluation passes one that serves the texts it embedded before). With neither, or with
    no `chunk_texts`, the indexed vectors' cosines decide.
    """
    if not topic_set.topics or not len(articles.article_ids):
        return []
    embedder = rescore_embedder or reason_embedder
    rescoring = embedder is not None and articles.chunk_texts is not None
    candidates = score_pairs(
        topic_set, articles, settings, margin=RESCORE_MARGIN if rescoring else 0.0
    )
    matches = _finish(
        topic_set,
        articles,
        candidates,
        settings,
        reason_embedder,
        embedder if rescoring else None,
    )
    logger.debug(
        "%d articles x %d subscriptions: %d candidate pairs, %d alerts",
        len(articles.article_ids),
        len(topic_set.topics),
        len(candidates.topics),
        len(matches),
    )
    return matches


def _finish(
    topic_set: TopicSet,
    articles: NewArticles,
    candidates: Candidates,
    settings: MatchSettings,
    reason_embedder: Embedder | None,
    rescore_embedder: Embedder | None,
) -> list[AlertMatch]:
    """Word filters, the re-scoring and the floor, then a reason sentence, for candidates."""
    layout = candidates.layout
    tokens: dict[int, tuple[list[str], frozenset[str]]] = {}
    filters = [
        ([term_tokens(w) for w in t.must_words], [term_tokens(w) for w in t.exclude_words])
        for t in topic_set.topics
    ]
    pairs = zip(
        candidates.topics.tolist(),
        candidates.positions.tolist(),
        candidates.scores.tolist(),
        candidates.corpus.tolist(),
        strict=True,
    )
    filtered: list[tuple[int, int, float, bool]] = []
    for topic, article, score, corpus in pairs:
        must, exclude = filters[topic]
        if must or exclude:
            if article not in tokens:
                words = tokenize(f"{articles.titles[article]}\n{articles.bodies[article]}")
                tokens[article] = (words, frozenset(words))
            if not words_allow(*tokens[article], must, exclude):
                continue
        filtered.append((topic, article, score, corpus))
    if articles.chunk_texts is not None:
        passages: Sequence[str] = articles.chunk_texts
        single = (np.diff(np.r_[layout.starts, len(layout.order)]) == 1).tolist()
        first_chunk = layout.order[layout.starts].tolist()
        chunks = [
            first_chunk[a] if single[a] else _best_chunk(topic_set, layout, t, a)
            for t, a, _, _ in filtered
        ]
    else:
        passages = articles.bodies
        chunks = [a for _, a, _, _ in filtered]
    scores = [s for _, _, s, _ in filtered]
    if rescore_embedder is not None:  # only with chunk texts (see match_articles)
        texts = [
            (t, alert_text(articles.titles[a], passages[c]))
            for (t, a, _, _), c in zip(filtered, chunks, strict=True)
        ]
        vectors = [t.vectors for t in topic_set.topics]
        scores = np.round(rescore(texts, vectors, rescore_embedder), 4).tolist()
    kept: list[tuple[int, int, float]] = []
    requests: list[tuple[int, int]] = []
    anchors = topic_set.anchors
    named: dict[int, frozenset[str]] = {}  # article -> the words it names, when asked
    for (topic, article, _, corpus), chunk, score in zip(filtered, chunks, scores, strict=True):
        if corpus and anchors[topic] and score < settings.direct_threshold:
            if article not in named:
                text = f"{articles.titles[article]}\n{articles.bodies[article]}"
                named[article] = word_keys(text)
            corpus = not anchors[topic].isdisjoint(named[article])  # the lexical guard
        if score >= settings.min_score and (corpus or score >= settings.direct_threshold):
            kept.append((topic, article, score))
            requests.append((topic, chunk))
    reasons = pick_reasons(
        *_reason_passages(requests, [a for _, a, _ in kept], passages, articles),
        [_topic_terms(t) for t in topic_set.topics],
        [t.vectors for t in topic_set.topics],
        reason_embedder,
        fallbacks=[articles.bodies[a] for _, a, _ in kept],  # a chunk that is furniture only
    )
    subscription_ids = [t.subscription_id for t in topic_set.topics]
    article_ids = [int(a) for a in articles.article_ids]
    return [
        AlertMatch(subscription_ids[t], article_ids[a], score, reason or articles.titles[a])
        for (t, a, score), reason in zip(kept, reasons, strict=True)
    ]


def _reason_passages(
    requests: list[tuple[int, int]],
    owners: list[int],
    passages: Sequence[str],
    articles: NewArticles,
) -> tuple[list[tuple[int, int]], Sequence[str]]:
    """The reason picker's requests and passages: chunk texts with their article's paragraph
    breaks put back (`alert_passages`), so a heading never sticks to the quoted sentence."""
    if articles.chunk_texts is None:
        return requests, passages  # the bodies themselves
    slots: dict[int, int] = {}
    texts: list[str] = []
    for (_, chunk), article in zip(requests, owners, strict=True):
        if chunk not in slots:
            slots[chunk] = len(texts)
            texts.append(with_paragraphs(passages[chunk], articles.bodies[article]))
    return [(topic, slots[chunk]) for topic, chunk in requests], texts


def _best_chunk(topic_set: TopicSet, layout: ChunkLayout, topic: int, article: int) -> int:
    """The caller's index of the article chunk nearest to the topic."""
    start, end = layout.run_of(article)
    first, last = np.searchsorted(topic_set.part_owner, [topic, topic + 1])
    sims = topic_set.parts[first:last] @ layout.vectors[start:end].T
    return int(layout.order[start + int(np.argmax(sims.max(axis=0)))])


def _topic_terms(topic: AlertTopic) -> frozenset[str]:
    return frozenset(tokenize(" ".join((topic.phrase, *topic.must_words))))
