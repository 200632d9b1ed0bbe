"""The calibration table of topic alerts: each idea's macro-F1 on several labelled sets.

    python bench/alert_ideas.py [DIR ...]   (default: AG News and the sets written by
                                             bench/make_alert_sets.py)

Rows marked "fitted" choose their one threshold on each set itself (an upper bound no
shipped default reaches); "oracle" rows even choose one threshold per category. The other
rows run with fixed defaults. "absent" is the share of all items alerted to topics that no
set is about (knitting, origami, ...): alerts that should not be sent. Item vectors come
from the eval cache (a temporary folder), so a second run takes seconds. Development only.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_alerts import PHRASES

from index.embedding import SentenceTransformerEmbedder
from retrieval.alert_background import article_vectors, build_background
from retrieval.alert_data import embed_items, load_labelled_items
from retrieval.alert_defaults import BACKGROUND_SIZE, DIRECT_THRESHOLD
from retrieval.alert_eval import BACKGROUND_SEED
from retrieval.alert_profiles import CorpusSettings
from retrieval.alerts import (
    AlertTopic,
    MatchSettings,
    NewArticles,
    build_topic_set,
    match_articles,
)
from retrieval.topic_embedding import embed_topic

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = Path(tempfile.gettempdir()) / "newsbot-alert-sets"
CACHE = Path(tempfile.gettempdir()) / "newsbot-alert-cache"
ABSENT = ("knitting", "origami", "beekeeping", "gardening tips", "chess tournaments")
BARE = ("{}",)
GRID = np.round(np.arange(-0.2, 0.8, 0.01), 3)
ZGRID = np.round(np.arange(-1.0, 6.0, 0.05), 3)


class Set:
    """One labelled directory with its vectors, and score helpers."""

    def __init__(self, directory: Path, embedder: SentenceTransformerEmbedder) -> None:
        self.name = directory.name
        self.embedder = embedder
        self.items = load_labelled_items(directory)
        self.embedded = embed_items(self.items, directory, embedder=embedder, cache_dir=CACHE)
        self.categories = list(self.items.topics)
        self.phrases = [self.items.topics[c] for c in self.categories]
        self.labels = np.array([self.categories.index(c) for c in self.items.categories])
        _, self.article_vecs = article_vectors(
            self.embedded.chunk_vectors, self.items.chunk_article_ids
        )
        vecs = self.article_vecs
        if len(vecs) > BACKGROUND_SIZE:
            rng = np.random.default_rng(BACKGROUND_SEED)
            vecs = vecs[np.sort(rng.choice(len(vecs), size=BACKGROUND_SIZE, replace=False))]
        self.background = build_background(vecs)
        ids = self.items.chunk_article_ids
        self.starts = np.flatnonzero(np.r_[True, np.diff(ids) != 0])

    def topics(self, phrases: list[str], templates: tuple[str, ...], split: str) -> list:
        return [embed_topic(p, self.embedder, templates=templates, split=split) for p in phrases]

    def scores(self, topics: list, how: str) -> np.ndarray:
        """(m, A) best-part cosine, the article scored by `how`."""
        rows = []
        for vectors in topics:
            if how == "best chunk":
                per_part = np.maximum.reduceat(
                    vectors @ self.embedded.chunk_vectors.T, self.starts, 1
                )
            elif how == "title":
                per_part = vectors @ self.embedded.title_vectors.T
            elif how == "article mean":
                per_part = vectors @ self.article_vecs.T
            else:  # best chunk or title, whichever is higher
                chunk = np.maximum.reduceat(vectors @ self.embedded.chunk_vectors.T, self.starts, 1)
                per_part = np.maximum(chunk, vectors @ self.embedded.title_vectors.T)
            rows.append(per_part.max(axis=0))
        return np.array(rows)

    def background_z(self, topics: list, scores: np.ndarray) -> np.ndarray:
        reference = np.array([(t @ self.background.vectors.T).max(axis=0) for t in topics])
        return (scores - reference.mean(1, keepdims=True)) / reference.std(1, keepdims=True)

    def matcher(
        self,
        phrases: list[str],
        templates: tuple[str, ...],
        split: str,
        settings: MatchSettings,
        corpus: CorpusSettings | None,
    ) -> np.ndarray:
        """(m, A) alerts of the real matcher."""
        topics = [
            AlertTopic(i, v, phrase=p)
            for i, (p, v) in enumerate(
                zip(phrases, self.topics(phrases, templates, split), strict=True)
            )
        ]
        background = self.background if corpus is not None else None
        topic_set = build_topic_set(topics, background, corpus or CorpusSettings())
        articles = NewArticles(
            article_ids=range(len(self.items.articles)),
            titles=[a.title for a in self.items.articles],
            bodies=[a.body for a in self.items.articles],
            chunk_vectors=self.embedded.chunk_vectors,
            chunk_article_ids=self.items.chunk_article_ids,
        )
        alerts = np.zeros((len(phrases), len(self.items.articles)), dtype=bool)
        for match in match_articles(topic_set, articles, settings=settings):
            alerts[match.subscription_id, match.article_id] = True
        return alerts


def macro_f1(alerts: np.ndarray, labels: np.ndarray) -> float:
    f1 = []
    for s, row in enumerate(alerts):
        tp = np.sum(row & (labels == s))
        p = tp / row.sum() if row.sum() else 0.0
        r = tp / np.sum(labels == s)
        f1.append(2 * p * r / (p + r) if p + r else 0.0)
    return float(np.mean(f1))


def fitted(scores: np.ndarray, labels: np.ndarray, grid: np.ndarray) -> float:
    return max(macro_f1(scores >= t, labels) for t in grid)


def oracle(scores: np.ndarray, labels: np.ndarray) -> float:
    best = []
    for s, row in enumerate(scores):
        f = 0.0
        for t in np.quantile(row, np.linspace(0.2, 0.999, 200)):
            tp = np.sum((row >= t) & (labels == s))
            f = max(f, 2 * tp / (np.sum(row >= t) + np.sum(labels == s)))
        best.append(f)
    return float(np.mean(best))


Outcome = tuple[float, float | None, float | None]  # macro-F1, absent share, narrow share


def rows() -> list[tuple[str, Callable[[Set], Outcome]]]:
    """(idea, function of a set -> outcome)."""
    tpl = embed_topic.__kwdefaults__["templates"]

    def raw(templates: tuple[str, ...], how: str, split: str = "none", z: bool = False):
        def run(s: Set) -> Outcome:
            topics = s.topics(s.phrases, templates, split)
            scores = s.scores(topics, how)
            if z:
                return fitted(s.background_z(topics, scores), s.labels, ZGRID), None, None
            return fitted(scores, s.labels, GRID), None, None

        return run

    def ceiling(s: Set) -> Outcome:
        return (
            oracle(s.scores(s.topics(s.phrases, tpl, "none"), "best chunk"), s.labels),
            None,
            None,
        )

    def matcher(split: str, corpus: CorpusSettings | None, threshold: float = DIRECT_THRESHOLD):
        def run(s: Set) -> Outcome:
            settings = MatchSettings(direct_threshold=threshold, corpus_route=corpus is not None)
            alerts = s.matcher(s.phrases, tpl, split, settings, corpus)
            absent = s.matcher(list(ABSENT), tpl, split, settings, corpus)
            narrow = s.matcher(list(PHRASES), tpl, split, settings, corpus)
            return macro_f1(alerts, s.labels), float(absent.mean()), float(narrow.mean())

        return run

    base = CorpusSettings()
    no_gate = replace(base, support_min=0, support_share=0.0)
    return [
        ("direct cosine, bare phrase, best chunk, fitted threshold", raw(BARE, "best chunk")),
        ("  same, title only, fitted", raw(BARE, "title")),
        ("  same, article mean (of chunk vectors), fitted", raw(BARE, "article mean")),
        ("  same, max(best chunk, title), fitted", raw(BARE, "chunk or title")),
        ('  "News about {topic}." template, fitted', raw(("News about {}.",), "best chunk")),
        ("  5 templates averaged, fitted", raw(tpl, "best chunk")),
        (
            "  5 templates + phrase parts (best part), fitted",
            raw(tpl, "best chunk", "conjunctions"),
        ),
        ("  5 templates, z against background, fitted z", raw(tpl, "best chunk", z=True)),
        ("  5 templates, oracle threshold per category", ceiling),
        ("direct route only, cosine >= 0.30", matcher("conjunctions", None, 0.30)),
        ("direct route only, cosine >= 0.35", matcher("conjunctions", None, 0.35)),
        ("direct route only, cosine >= 0.40", matcher("conjunctions", None, 0.40)),
        (f"direct route only, cosine >= {DIRECT_THRESHOLD}", matcher("conjunctions", None)),
        (
            "corpus route, no self-training, no support gate",
            matcher("conjunctions", replace(no_gate, self_training=False)),
        ),
        ("corpus route, self-training, no support gate", matcher("conjunctions", no_gate)),
        ("corpus route, seeds >= 0.15", matcher("conjunctions", replace(base, seed_cosine=0.15))),
        ("corpus route, seeds >= 0.25", matcher("conjunctions", replace(base, seed_cosine=0.25))),
        ("corpus route, parts only for lists", matcher("lists", base)),
        ("corpus route, phrase not split", matcher("none", base)),
        ("corpus route, propagation alpha 0.8", matcher("conjunctions", replace(base, alpha=0.8))),
        ("DEFAULT with direct threshold 0.35", matcher("conjunctions", base, 0.35)),
        ("DEFAULT with direct threshold 0.40", matcher("conjunctions", base, 0.40)),
        ("DEFAULT with direct threshold 0.50", matcher("conjunctions", base, 0.50)),
        (
            f"DEFAULT: direct >= {DIRECT_THRESHOLD} + corpus route (shipped)",
            matcher("conjunctions", base),
        ),
    ]


def main() -> int:
    args = [Path(a) for a in sys.argv[1:]]
    default = [
        DATA / "ag-news",
        *(SETS / n for n in ("rtqa-sections", "rtqa-narrow", "agnews-names", "agnews-rephrased")),
    ]
    directories = [d for d in (args or default) if (d / "articles.jsonl").exists()]
    if not directories:
        print("skipped: no evaluation directory found")
        return 0
    embedder = SentenceTransformerEmbedder(threads=2)
    sets = [Set(d, embedder) for d in directories]
    names = [s.name for s in sets]
    print(f"{'idea':<58}" + "".join(f"{n[:14]:>15}" for n in names) + "   absent   narrow")
    for idea, run in rows():
        results = [run(s) for s in sets]
        line = f"{idea:<58}" + "".join(f"{f:>15.3f}" for f, _, _ in results)
        if results[0][1] is not None:
            absent = np.mean([a for _, a, _ in results])
            narrow = np.mean([n for _, _, n in results])
            line += f"   {absent:6.3f}   {narrow:6.3f}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
