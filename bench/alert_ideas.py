"""The calibration table of topic alerts: each idea's macro-F1 on several labelled sets.

    python bench/alert_ideas.py [--only=TEXT] [DIR ...]
        (default: AG News and the sets written by bench/make_alert_sets.py; --only: the rows
        whose idea contains TEXT)

Rows marked "fitted" choose their one threshold on each set itself (an upper bound no
shipped default reaches); "oracle" rows even choose one threshold per category. The other
rows run with fixed defaults. "absent" is the share of all items alerted to topics that no
set is about (knitting, origami, ...): alerts that should not be sent. Item vectors come
from the eval cache (a temporary folder), so a second run takes seconds. Development only.

The "floor:" rows run the `newsbot eval alerts` protocol (candidates re-scored without the
outlet) with the fixed floor of every alert (MIN_DIRECT_SCORE) replaced by one that adapts
to the topic, computed once per topic from the background. A floor only removes alerts, so
each row filters one run at floor 0 (per set and topic list, cached) instead of matching
again; the first of them is the shipped fixed floor. They run without the lexical guard
(each idea alone). None of them gained (alert_defaults).
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_alerts import PHRASES

from index.embedding import SentenceTransformerEmbedder
from retrieval.alert_background import article_vectors, build_background
from retrieval.alert_data import as_new_articles, embed_items, known_chunks, load_labelled_items
from retrieval.alert_defaults import BACKGROUND_SIZE, DIRECT_THRESHOLD, MIN_DIRECT_SCORE
from retrieval.alert_eval import BACKGROUND_SEED
from retrieval.alert_profiles import CorpusSettings, topic_similarities
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
        rows = np.arange(len(self.article_vecs))
        if len(rows) > BACKGROUND_SIZE:
            rng = np.random.default_rng(BACKGROUND_SEED)
            rows = np.sort(rng.choice(len(rows), size=BACKGROUND_SIZE, replace=False))
        articles = [self.items.articles[r] for r in rows]
        self.background = build_background(
            self.article_vecs[rows], texts=[f"{a.title}\n{a.body}" for a in articles]
        )
        ids = self.items.chunk_article_ids
        self.starts = np.flatnonzero(np.r_[True, np.diff(ids) != 0])
        self._floor_zero: dict[tuple[str, ...], FloorRun] = {}

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

    def floor_zero(self, phrases: list[str]) -> FloorRun:
        """The shipped matcher, re-scoring as the eval does, with no floor (cached)."""
        key = tuple(phrases)
        if key not in self._floor_zero:
            topics = [
                AlertTopic(i, embed_topic(p, self.embedder), phrase=p)
                for i, p in enumerate(phrases)
            ]
            # Floors are measured alone: without the lexical guard (anchor_precision None).
            unguarded = CorpusSettings(anchor_precision=None)
            topic_set = build_topic_set(topics, self.background, unguarded)
            matches = match_articles(
                topic_set,
                as_new_articles(self.items, self.embedded),
                settings=MatchSettings(min_score=0.0),
                rescore_embedder=known_chunks(self.embedded, self.embedder),
            )
            pairs = np.array([(m.subscription_id, m.article_id) for m in matches], dtype=np.int64)
            pairs = pairs.reshape(-1, 2)
            vectors = [t.vectors for t in topics]
            cosines, _ = topic_similarities(vectors, self.background.vectors)
            profiles = topic_set.profiles
            neighbour = (self.background.self_neighbours @ profiles.scores.T).T
            upper = np.asarray(neighbour) >= profiles.cutoffs[:, None]  # the topic's cluster
            article_cosine = np.array(
                [float((vectors[t] @ self.article_vecs[a]).max()) for t, a in pairs]
            )
            self._floor_zero[key] = FloorRun(
                len(phrases),
                pairs,
                np.array([m.score for m in matches]),
                article_cosine,
                cosines,
                upper,
            )
        return self._floor_zero[key]


@dataclass(frozen=True, eq=False)
class FloorRun:
    """Alerts of one run at floor 0, and what adaptive floors are computed from."""

    topics: int
    pairs: np.ndarray  # (n, 2) topic, article
    scores: np.ndarray  # best chunk without the outlet: what the floor compares
    article_cosine: np.ndarray  # the article's mean vector, like the background's
    background_cosine: np.ndarray  # (m, B) topic vs background articles
    upper: np.ndarray  # (m, B) background articles in the topic's corpus-route cluster

    def outside(self) -> list[np.ndarray]:
        """Per topic, the cosines of background articles outside its cluster."""
        return [
            c[~u] if (~u).any() else c
            for c, u in zip(self.background_cosine, self.upper, strict=True)
        ]

    def alerts(self, keep: np.ndarray, items: int) -> np.ndarray:
        """(m, A) alerts: the direct route's as shipped, the others where `keep` says."""
        keep = keep | (self.scores >= DIRECT_THRESHOLD)
        alerts = np.zeros((self.topics, items), dtype=bool)
        alerts[self.pairs[keep, 0], self.pairs[keep, 1]] = True
        return alerts


FloorRule = Callable[[FloorRun], np.ndarray]  # -> keep mask over the run's pairs


def per_topic(floor: Callable[[FloorRun], np.ndarray]) -> FloorRule:
    """A rule from a per-topic floor on the score (never under the shipped one)."""

    def keep(run: FloorRun) -> np.ndarray:
        floors = np.maximum(floor(run), MIN_DIRECT_SCORE)
        return run.scores >= floors[run.pairs[:, 0]] if len(run.pairs) else run.scores > 0

    return keep


def floor_rules() -> list[tuple[str, FloorRule]]:
    """Adaptive floors, each computed once per topic from the background (cheap per pair)."""

    def fixed(value: float) -> FloorRule:
        return per_topic(lambda run: np.full(run.topics, value))

    def z_background(k: float) -> FloorRule:
        return per_topic(
            lambda run: run.background_cosine.mean(1) + k * run.background_cosine.std(1)
        )

    def z_outside(k: float) -> FloorRule:
        return per_topic(lambda run: np.array([o.mean() + k * o.std() for o in run.outside()]))

    def outside_percentile(q: float) -> FloorRule:
        return per_topic(lambda run: np.array([np.percentile(o, q) for o in run.outside()]))

    def background_percentile(q: float) -> FloorRule:
        return per_topic(lambda run: np.percentile(run.background_cosine, q, axis=1))

    def best_fraction(f: float) -> FloorRule:
        return per_topic(lambda run: f * np.sort(run.background_cosine, 1)[:, -10:].mean(1))

    def breadth(c: float) -> FloorRule:
        return per_topic(lambda run: MIN_DIRECT_SCORE + c * run.upper.mean(1))

    def rank_in_breadth(m: float) -> FloorRule:
        def floor(run: FloorRun) -> np.ndarray:
            share = np.clip(1 - m * run.upper.mean(1), 0.0, 1.0)
            pairs = zip(run.background_cosine, share, strict=True)
            return np.array([np.quantile(c, q) for c, q in pairs])

        return per_topic(floor)

    def article_z(k: float) -> FloorRule:
        def keep(run: FloorRun) -> np.ndarray:
            if not len(run.pairs):
                return run.scores > 0
            c, t = run.background_cosine, run.pairs[:, 0]
            z = (run.article_cosine - c.mean(1)[t]) / c.std(1)[t]
            return (z >= k) & (run.scores >= MIN_DIRECT_SCORE)

        return keep

    return [
        (f"floor: fixed {MIN_DIRECT_SCORE} (shipped, as the eval)", fixed(MIN_DIRECT_SCORE)),
        ("floor: fixed 0.10", fixed(0.10)),
        ("floor: fixed 0.15", fixed(0.15)),
        ("floor: z >= 0 against the background", z_background(0.0)),
        ("floor: z >= 0.5 against the background", z_background(0.5)),
        ("floor: z >= 1 against the background", z_background(1.0)),
        ("floor: background median", background_percentile(50)),
        ("floor: background 75th percentile", background_percentile(75)),
        ("floor: outside the cluster, mean", z_outside(0.0)),
        ("floor: outside the cluster, mean + 1 sd", z_outside(1.0)),
        ("floor: outside the cluster, mean + 2 sd", z_outside(2.0)),
        ("floor: outside the cluster, 90th percentile", outside_percentile(90)),
        ("floor: 0.2 x mean of the 10 best background", best_fraction(0.2)),
        ("floor: 0.3 x mean of the 10 best background", best_fraction(0.3)),
        ("floor: 0.5 x mean of the 10 best background", best_fraction(0.5)),
        ("floor: 0.8 x mean of the 10 best background", best_fraction(0.8)),
        ("floor: 0.05 + 0.2 x cluster share", breadth(0.2)),
        ("floor: 0.05 + 0.5 x cluster share", breadth(0.5)),
        ("floor: within the 2 x cluster share best", rank_in_breadth(2.0)),
        ("floor: within the 3 x cluster share best", rank_in_breadth(3.0)),
        ("floor: article mean vector z >= -0.5", article_z(-0.5)),
        ("floor: article mean vector z >= 0", article_z(0.0)),
    ]


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

    def floored(rule: FloorRule):
        def run(s: Set) -> Outcome:
            shares = []
            for phrases in (list(ABSENT), list(PHRASES)):
                found = s.floor_zero(phrases)
                shares.append(float(found.alerts(rule(found), len(s.labels)).mean()))
            found = s.floor_zero(s.phrases)
            return macro_f1(found.alerts(rule(found), len(s.labels)), s.labels), *shares

        return run

    base = CorpusSettings()
    no_gate = replace(base, support_min=0, support_share=0.0)
    unguarded = replace(base, anchor_precision=None)

    def guard(precision: float) -> CorpusSettings:
        return replace(base, anchor_precision=precision)

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
        ("corpus route, no lexical guard", matcher("conjunctions", unguarded)),
        *(
            (f"lexical guard, anchors at {p:.1f}", matcher("conjunctions", guard(p)))
            for p in (0.3, 0.4, 0.6, 0.7)
        ),
        (
            f"DEFAULT: direct >= {DIRECT_THRESHOLD} + corpus route (shipped)",
            matcher("conjunctions", base),
        ),
        *((idea, floored(rule)) for idea, rule in floor_rules()),
    ]


def main() -> int:
    only = [a.removeprefix("--only=") for a in sys.argv[1:] if a.startswith("--only=")]
    args = [Path(a) for a in sys.argv[1:] if not a.startswith("--only=")]
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
    print(f"{'idea':<58}" + "".join(f"{n[:14]:>15}" for n in names) + "     mean   absent   narrow")
    for idea, run in rows():
        if only and not any(text in idea for text in only):
            continue
        results = [run(s) for s in sets]
        line = f"{idea:<58}" + "".join(f"{f:>15.3f}" for f, _, _ in results)
        line += f"   {np.mean([f for f, _, _ in results]):6.4f}"
        if results[0][1] is not None:
            absent = np.mean([a for _, a, _ in results])
            narrow = np.mean([n for _, _, n in results])
            line += f"   {absent:6.3f}   {narrow:6.3f}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
