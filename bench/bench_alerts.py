"""Topic-alert matching at scale: 7,600 new articles against 10,000 subscriptions.

Articles are AG News's 7,600 test items, chunked and embedded like the indexer does (the
vectors are cached in a temporary folder after the first run); subscriptions are perturbed
copies of real topic phrases' vectors (cosine ~0.9 to their phrase), so each matches a
realistic handful of articles. Without the shared data, both sides are random unit vectors
(the timing still holds; nothing matches). The background of the corpus route is 2,000 of
the articles with their texts, as in production: the words each names are indexed, so the
topics' anchors are found and the corpus route's lexical guard runs (`alert_lexicon`), as
in the bot. What the bot adds with its model (each candidate's best chunk embedded again
without the outlet, reason sentences embedded) is model time per alert, not timed here.

Printed side by side, in the same run (interleaved rounds, medians): the time of the raw
matrix product alone (topic parts x chunk vectors, in the matcher's blocks); the matcher's
all-pairs scoring (`score_pairs`: both routes over every subscription x article pair); and
the whole matcher (`match_articles`: scoring, then word filters and a reason sentence for
every alert, Python work proportional to the number of alerts); with ratios to the raw
product. Fitting the subscriptions' corpus profiles and anchors is timed apart: all of them
when the background is rebuilt (daily, its words indexed included), and, against that,
adding one subscription to the N (its phrase embedded, the topic set rebuilt with only the
new profile and anchors fitted), as the bot does.

    python bench/bench_alerts.py [--subscriptions N] [--rounds N] [--direct-only]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from common import emit, shared_data

from index.embedding import SentenceTransformerEmbedder, l2_normalise
from retrieval.alert_background import Background, article_vectors, build_background
from retrieval.alert_data import as_new_articles, embed_items, load_labelled_items
from retrieval.alert_defaults import BACKGROUND_SIZE
from retrieval.alert_scoring import ChunkLayout, topic_blocks
from retrieval.alerts import (
    AlertTopic,
    MatchSettings,
    NewArticles,
    TopicSet,
    build_topic_set,
    match_articles,
    score_pairs,
)
from retrieval.topic_embedding import embed_topic

NAME = "alerts"
CACHE = Path(tempfile.gettempdir()) / "newsbot-alert-cache"
DIMENSION = 384
SYNTHETIC_ARTICLES = 7_600
# Topics a reader might follow, broad and narrow; none is an AG News category name.
PHRASES = (
    "oil prices", "North Korea nuclear talks", "Iraq insurgency", "Olympic swimming",
    "Boston Red Sox", "NFL quarterbacks", "tennis grand slams", "Formula One racing",
    "golf majors", "Google search engine", "Apple iPod", "Microsoft Windows security",
    "Linux and open source", "mobile phones", "NASA space missions", "Mars exploration",
    "climate change", "stem cell research", "US presidential election", "Middle East peace",
    "Darfur crisis", "airline bankruptcies", "mergers and acquisitions", "interest rates",
    "stock market", "China economy", "European Union", "hurricanes", "terrorism",
    "video games", "music downloads", "spam and viruses", "Wall Street earnings",
    "Ukraine election", "Afghanistan", "soccer Premier League", "basketball NBA",
    "cricket", "cycling Tour de France", "retail sales",
)  # fmt: skip


def real_data(embedder: SentenceTransformerEmbedder) -> tuple[NewArticles, str] | None:
    directory = shared_data() / "ag-news"
    if not (directory / "articles.jsonl").is_file():
        return None
    items = load_labelled_items(directory)
    embedded = embed_items(items, directory, embedder=embedder, cache_dir=CACHE)
    articles = as_new_articles(items, embedded)
    return articles, "ag-news"


def synthetic_data(rng: np.random.Generator) -> NewArticles:
    vectors = l2_normalise(rng.standard_normal((SYNTHETIC_ARTICLES, DIMENSION)).astype(np.float32))
    return NewArticles(
        article_ids=range(SYNTHETIC_ARTICLES),
        titles=[f"Synthetic item {i}" for i in range(SYNTHETIC_ARTICLES)],
        bodies=[f"Synthetic body {i}." for i in range(SYNTHETIC_ARTICLES)],
        chunk_vectors=vectors,
        chunk_article_ids=np.arange(SYNTHETIC_ARTICLES),
    )


def subscriptions(
    count: int, base: list[tuple[str, np.ndarray]], rng: np.random.Generator
) -> list[AlertTopic]:
    """`count` topics: each a real phrase's vectors plus noise (cosine ~0.9 to the original)."""
    topics = []
    for index in range(count):
        phrase, vectors = base[index % len(base)]
        noise = rng.standard_normal(vectors.shape).astype(np.float32) / np.sqrt(vectors.shape[1])
        topics.append(AlertTopic(index, l2_normalise(vectors + 0.48 * noise), phrase=phrase))
    return topics


def raw_product(topic_set: TopicSet, articles: NewArticles) -> int:
    """Only the matrix product of the direct route, in the matcher's blocks."""
    layout = ChunkLayout.of(
        np.asarray(articles.article_ids), articles.chunk_article_ids, articles.chunk_vectors
    )
    cells = 0
    owner = topic_set.part_owner
    for first, last in topic_blocks(owner, len(topic_set.topics), len(layout.order)):
        rows = np.flatnonzero((owner >= first) & (owner < last))
        cells += (topic_set.parts[rows] @ layout.vectors.T).size
    return cells


def add_one(
    topic_set: TopicSet,
    background: Background | None,
    embedder: SentenceTransformerEmbedder,
    rounds: int,
) -> tuple[float, float, int]:
    """Medians of embedding one new phrase and of rebuilding the topic set with it (from
    `topic_set`, as `AlertMatcher.topic_set` does); how many profiles the rebuild fitted."""
    embeds, rebuilds, fitted = [], [], 0
    for round_ in range(rounds):
        started = time.perf_counter()
        vectors = embed_topic(f"new subscription {round_}: lunar rovers", embedder)
        embeds.append(time.perf_counter() - started)
        new = AlertTopic(len(topic_set.topics), vectors, phrase="lunar rovers")
        started = time.perf_counter()
        grown = build_topic_set([*topic_set.topics, new], background, previous=topic_set)
        rebuilds.append(time.perf_counter() - started)
        fitted = grown.fitted.fitted
    return statistics.median(embeds), statistics.median(rebuilds), fitted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--direct-only", action="store_true", help="corpus route off")
    args = parser.parse_args()
    settings = MatchSettings(corpus_route=not args.direct_only)
    rng = np.random.default_rng(7)
    embedder = SentenceTransformerEmbedder(threads=2)
    loaded = real_data(embedder)
    if loaded is None:
        print(f"AG News absent under {shared_data()}: synthetic random vectors instead")
        articles, data = synthetic_data(rng), "synthetic"
        base = [
            (f"topic {i}", l2_normalise(rng.standard_normal((1, DIMENSION)))) for i in range(50)
        ]
    else:
        articles, data = loaded
        base = [(p, embed_topic(p, embedder)) for p in PHRASES]
    topics = subscriptions(args.subscriptions, base, rng)
    _, vectors = article_vectors(articles.chunk_vectors, np.asarray(articles.chunk_article_ids))
    sample = np.sort(
        rng.choice(len(vectors), size=min(BACKGROUND_SIZE, len(vectors)), replace=False)
    )
    # The bot's background holds each article's title and body (`recent_background`).
    texts = [f"{articles.titles[i]}\n{articles.bodies[i]}" for i in sample.tolist()]
    started = time.perf_counter()
    background = None if args.direct_only else build_background(vectors[sample], texts=texts)
    background_seconds = time.perf_counter() - started
    topic_set = build_topic_set(topics, background)
    profile_seconds = time.perf_counter() - started
    embed_seconds, add_seconds, fitted = add_one(topic_set, background, embedder, args.rounds)
    raw_times, scoring_times = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        raw_product(topic_set, articles)
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        score_pairs(topic_set, articles, settings)
        scoring_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    alerts = len(
        match_articles(topic_set, articles, settings=settings)
    )  # once: it holds every alert in memory
    matcher = time.perf_counter() - started
    raw, scoring = statistics.median(raw_times), statistics.median(scoring_times)
    covered = int(topic_set.profiles.covered.sum())
    anchored = sum(1 for anchors in topic_set.anchors if anchors)
    print(
        f"{len(articles.article_ids)} articles ({len(articles.chunk_vectors)} chunks, {data}) x "
        f"{len(topics)} subscriptions ({len(topic_set.parts)} topic vectors, {covered} with "
        f"the corpus route, {anchored} anchored): {alerts} alerts"
    )
    print(f"raw matrix product          {raw:8.3f} s  (median of {args.rounds})")
    print(f"matcher, all-pairs scoring  {scoring:8.3f} s  {scoring / raw:6.2f}x the raw product")
    print(
        f"matcher, whole              {matcher:8.3f} s  {matcher / raw:6.2f}x "
        f"({1e6 * max(matcher - scoring, 0) / max(alerts, 1):.1f} us per alert after scoring)"
    )
    print(
        f"profiles, all fitted        {profile_seconds:8.3f} s  (on a new background, daily; "
        f"the background and its words built in {background_seconds:.3f} s)"
    )
    print(
        f"add one subscription        {embed_seconds + add_seconds:8.3f} s  (to {len(topics)}: "
        f"embed its phrase {embed_seconds:.3f} s, rebuild the topic set {add_seconds:.3f} s "
        f"with {fitted} profile fitted)"
    )
    emit(
        NAME,
        {
            "data": data,
            "corpus_route": not args.direct_only,
            "articles": len(articles.article_ids),
            "subscriptions": len(topics),
            "alerts": alerts,
            "raw_product_seconds": round(raw, 3),
            "scoring_seconds": round(scoring, 3),
            "match_seconds": round(matcher, 3),
            "scoring_ratio": round(scoring / raw, 2),
            "ratio": round(matcher / raw, 2),
            "anchored": anchored,
            "profile_seconds": round(profile_seconds, 3),
            "background_seconds": round(background_seconds, 3),
            "add_one_seconds": round(embed_seconds + add_seconds, 3),
            "add_one_rebuild_seconds": round(add_seconds, 3),
            "add_one_fitted": fitted,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
