"""`newsbot eval alerts DIR`: topic-alert quality on a labelled directory.

Protocol (shared/data/README.md): one subscriber per category, subscribed with the phrase
DIR/topics.json gives it (else the category name); every item of DIR/articles.jsonl goes
through the matcher as a newly indexed article; an alert is correct when the item's category
is the subscriber's. Per category precision, recall and F1, their macro averages, and the
time to match all items against all subscriptions (embedding excluded).

The matcher's background (corpus statistics for the corpus route) is a seeded sample of the
directory's own items, as the bot's background is a sample of its own corpus.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.protocols import Embedder
from retrieval.alert_background import Background, article_vectors, build_background
from retrieval.alert_data import (
    EmbeddedItems,
    as_new_articles,
    embed_items,
    known_chunks,
    load_labelled_items,
)
from retrieval.alert_defaults import (
    BACKGROUND_SIZE,
    DIRECT_THRESHOLD,
    MIN_BACKGROUND,
    MIN_DIRECT_SCORE,
)
from retrieval.alerts import (
    AlertMatch,
    AlertTopic,
    MatchSettings,
    build_topic_set,
    match_articles,
)
from retrieval.topic_embedding import embed_topic

BACKGROUND_SEED = 20240601


@dataclass(frozen=True)
class CategoryScore:
    category: str
    phrase: str
    items: int  # items of this category
    alerts: int  # alerts its subscriber received
    correct: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class AlertEvalReport:
    categories: tuple[CategoryScore, ...]
    macro_precision: float
    macro_recall: float
    macro_f1: float
    n_items: int
    n_chunks: int
    match_seconds: float  # matching all items against all subscriptions (no embedding)
    profile_seconds: float  # background graph + subscription profiles (once per background)
    embed_seconds: float  # items (0 when cached) and candidates re-scored without the outlet
    threshold: float  # the direct-route cosine threshold used
    min_score: float  # the cosine every alert needs, whatever its route
    corpus_route: bool
    background_size: int
    model_name: str
    skipped: int  # records without a usable title/body/category


def run_alert_eval(
    directory: Path,
    *,
    embedder: Embedder,
    threshold: float | None = None,
    cache_dir: Path | None = None,
    corpus_route: bool = True,
    background_size: int = BACKGROUND_SIZE,
    min_score: float = MIN_DIRECT_SCORE,
) -> AlertEvalReport:
    """Run the protocol on DIR; item vectors are cached in `cache_dir` when given.

    As in the bot, candidates are scored again on their text without the outlet; the
    chunk vectors at hand serve every text that has none (`alert_data.known_chunks`).
    """
    items = load_labelled_items(directory)
    embedded = embed_items(items, directory, embedder=embedder, cache_dir=cache_dir)
    settings = MatchSettings(
        direct_threshold=DIRECT_THRESHOLD if threshold is None else threshold,
        corpus_route=corpus_route,
        min_score=min_score,
    )
    categories = list(items.topics)
    topics = [
        AlertTopic(subscription_id=i, vectors=embed_topic(phrase, embedder), phrase=phrase)
        for i, phrase in enumerate(items.topics[c] for c in categories)
    ]
    started = time.perf_counter()
    background = _background(embedded, background_size) if corpus_route else None
    topic_set = build_topic_set(topics, background)
    profile_seconds = time.perf_counter() - started
    articles = as_new_articles(items, embedded)
    rescorer = known_chunks(embedded, embedder)
    started = time.perf_counter()
    matches = match_articles(topic_set, articles, settings=settings, rescore_embedder=rescorer)
    match_seconds = time.perf_counter() - started - rescorer.seconds
    scores = score_matches(matches, items.categories, categories, items.topics)
    return AlertEvalReport(
        categories=scores,
        macro_precision=float(np.mean([s.precision for s in scores])),
        macro_recall=float(np.mean([s.recall for s in scores])),
        macro_f1=float(np.mean([s.f1 for s in scores])),
        n_items=len(items.articles),
        n_chunks=len(items.chunk_texts),
        match_seconds=match_seconds,
        profile_seconds=profile_seconds,
        embed_seconds=embedded.embed_seconds + rescorer.seconds,
        threshold=settings.direct_threshold,
        min_score=settings.min_score,
        corpus_route=corpus_route,
        background_size=len(background) if background is not None else 0,
        model_name=embedder.model_name,
        skipped=items.skipped,
    )


def _background(embedded: EmbeddedItems, size: int) -> Background:
    _, vectors = article_vectors(embedded.chunk_vectors, embedded.items.chunk_article_ids)
    rows = np.arange(len(vectors))
    if len(rows) > size:
        rng = np.random.default_rng(BACKGROUND_SEED)
        rows = np.sort(rng.choice(len(rows), size=size, replace=False))
    articles = [embedded.items.articles[r] for r in rows]
    return build_background(vectors[rows], texts=[f"{a.title}\n{a.body}" for a in articles])


def score_matches(
    matches: list[AlertMatch],
    item_categories: tuple[str, ...],
    categories: list[str],
    phrases: dict[str, str],
) -> tuple[CategoryScore, ...]:
    """Per-category precision, recall and F1 of the alerts (subscription i = category i)."""
    truth = np.array([categories.index(c) for c in item_categories])
    sent = np.zeros(len(categories), dtype=np.int64)
    correct = np.zeros(len(categories), dtype=np.int64)
    for match in matches:
        sent[match.subscription_id] += 1
        correct[match.subscription_id] += int(truth[match.article_id] == match.subscription_id)
    scores = []
    for index, category in enumerate(categories):
        total = int(np.sum(truth == index))
        precision = correct[index] / sent[index] if sent[index] else 0.0
        recall = correct[index] / total if total else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(
            CategoryScore(
                category=category,
                phrase=phrases[category],
                items=total,
                alerts=int(sent[index]),
                correct=int(correct[index]),
                precision=float(precision),
                recall=float(recall),
                f1=float(f1),
            )
        )
    return tuple(scores)


def format_alert_report(report: AlertEvalReport) -> str:
    """The per-category table, a settings line, and last one JSON object of the figures."""
    width = max([len("category"), *(len(s.category) for s in report.categories)])
    lines = [
        f"{'category':<{width}}  {'items':>6}  {'alerts':>6}  {'prec':>5}  {'recall':>6}  "
        f"{'F1':>5}  phrase"
    ]
    for s in report.categories:
        lines.append(
            f"{s.category:<{width}}  {s.items:>6}  {s.alerts:>6}  {s.precision:>5.3f}  "
            f"{s.recall:>6.3f}  {s.f1:>5.3f}  {s.phrase}"
        )
    lines.append(
        f"{'macro':<{width}}  {report.n_items:>6}  {'':>6}  {report.macro_precision:>5.3f}  "
        f"{report.macro_recall:>6.3f}  {report.macro_f1:>5.3f}"
    )
    route = f"corpus route on (background {report.background_size} items)"
    if not report.corpus_route:
        route = "corpus route off"
    elif report.background_size < MIN_BACKGROUND:
        route = f"corpus route off (background {report.background_size} < {MIN_BACKGROUND} items)"
    lines.append(
        f"model {report.model_name}; direct threshold {report.threshold:.2f}; "
        f"{route}; floor {report.min_score:.2f}; {report.n_chunks} chunks; "
        f"match {report.match_seconds:.2f} s, profiles {report.profile_seconds:.2f} s, "
        f"embedding {report.embed_seconds:.1f} s"
        + (f"; {report.skipped} records skipped" if report.skipped else "")
    )
    summary = {
        "macro_f1": round(report.macro_f1, 4),
        "macro_precision": round(report.macro_precision, 4),
        "macro_recall": round(report.macro_recall, 4),
        "n_items": report.n_items,
        "match_seconds": round(report.match_seconds, 3),
    }
    lines.append(json.dumps(summary))
    return "\n".join(lines)
