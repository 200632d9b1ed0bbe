"""Incremental re-index: adding 10 articles to a 20k-chunk index against embedding them alone.

The base index holds ~20k chunks of synthetic articles (word salad with the Wikinews
sample's word frequencies), stored and indexed by the real pipeline but with random
vectors instead of the model (precomputed vectors, to save ~20 minutes of encoding); it is
built once under `data/bench/` and copied for each run.
Each round then adds 10 new real Wikinews articles the way `newsbot ingest` does: open the
saved index (checking it against the database), store, chunk, embed, index, and save a
new snapshot; and, alternately, embeds the same articles' chunks alone with the same
model. Target: the incremental run takes at most 3x the embedding alone.

    python bench/bench_reindex.py [--base-chunks N] [--rounds N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from common import (
    BENCH_CACHE,
    bench_settings,
    chunk_texts,
    cpu_note,
    emit,
    load_embedder,
    median,
    sample_articles,
    timed,
    verdict,
)
from synthetic import SOURCES, word_model

from bot.runtime import Runtime
from index.embedding import l2_normalise
from index.protocols import FloatMatrix
from index.types import Article

NAME = "reindex"
TARGET = 3.0
NEW_ARTICLES = 10
VERSION = 1  # of the cached base: bump when the generator changes
WORDS_PER_ARTICLE = 600


class RandomEmbedder:
    """Stands in for the model while the base is built: random unit vectors, same shape."""

    def __init__(self, model_name: str, dimension: int) -> None:
        self.model_name = model_name
        self.dimension = dimension
        self._rng = np.random.default_rng(5)

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        return l2_normalise(self._rng.standard_normal((len(texts), self.dimension)))

    def embed_query(self, text: str) -> FloatMatrix:
        return self.embed([text])[0]


def synthetic_articles(count: int) -> list[Article]:
    words, cdf = word_model()
    vocabulary = np.asarray(words, dtype=object)
    rng = np.random.default_rng(6)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    articles = []
    for number in range(count):
        rows = np.minimum(np.searchsorted(cdf, rng.random(WORDS_PER_ARTICLE)), len(words) - 1)
        picks = vocabulary[rows].tolist()
        sentences = [
            " ".join(picks[i : i + 15]).capitalize() + "." for i in range(0, len(picks), 15)
        ]
        articles.append(
            Article(
                title=f"Synthetic report {number}: {' '.join(picks[:6])}",
                body=" ".join(sentences),
                source=SOURCES[number % len(SOURCES)],
                published_at=start + timedelta(minutes=int(rng.integers(0, 525_600))),
                url=f"https://example.com/synthetic/{number}",
            )
        )
    return articles


def build_base(runtime: Runtime, base_chunks: int) -> int:
    """Store and index synthetic articles until the index holds `base_chunks` chunks."""
    indexer = runtime.indexer()
    indexer.open()
    per_article = max(1, len(chunk_texts(synthetic_articles(1), runtime.settings)))
    report = indexer.ingest(synthetic_articles(-(-base_chunks // per_article)))
    return report.chunks_embedded


def cached_base(base_chunks: int, model_name: str, dimension: int, into: Path) -> int:
    """Copy the base (data folder) into `into`, building it first when not cached."""
    folder = BENCH_CACHE / f"reindex-base-{base_chunks}-{model_name}-v{VERSION}"
    done = folder / "chunks"
    if not done.is_file():
        shutil.rmtree(folder, ignore_errors=True)
        print(f"  building the base index (cached in {folder})", flush=True)
        runtime = Runtime(bench_settings(folder), embedder=RandomEmbedder(model_name, dimension))
        chunks = build_base(runtime, base_chunks)
        runtime.engine.dispose()
        done.write_text(f"{chunks}\n", encoding="utf-8")
    shutil.copytree(folder, into, ignore=shutil.ignore_patterns("chunks"))
    return int(done.read_text(encoding="utf-8"))


def add_articles(runtime: Runtime, articles: list[Article]) -> dict[str, float]:
    """What `newsbot ingest` does with the model loaded: open, ingest (saves), in seconds."""
    started = time.perf_counter()
    indexer = runtime.indexer()
    indexer.open()
    opened = time.perf_counter()
    report = indexer.ingest(articles)
    done = time.perf_counter()
    if report.new != len(articles):
        raise RuntimeError(f"expected {len(articles)} new articles, got {report.summary_line()}")
    return {"total": done - started, "open": opened - started, "ingest": done - opened}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-chunks", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        settings = bench_settings(Path(tmp) / "data")
        embedder = load_embedder(settings)
        base_chunks = cached_base(
            args.base_chunks, embedder.model_name, embedder.dimension, settings.data_dir
        )
        print(f"machine: {cpu_note()}")
        print(
            f"base: {base_chunks:,} chunks of synthetic articles stored and indexed with random "
            f"vectors; model {settings.embedding_model} ({embedder.precision})"
        )
        runtime = Runtime(settings, embedder=embedder)
        news = sample_articles()
        embedder.embed(chunk_texts(news[-3:], settings))  # warm up
        ratios, rounds = [], []
        for round_no in range(args.rounds):
            articles = news[round_no * NEW_ARTICLES : (round_no + 1) * NEW_ARTICLES]
            texts = chunk_texts(articles, settings)
            _, alone = timed(lambda texts=texts: embedder.embed(texts))
            added = add_articles(runtime, articles)
            ratios.append(added["total"] / alone)
            rounds.append({**added, "alone": alone, "chunks": len(texts)})
            print(
                f"round {round_no + 1}: {NEW_ARTICLES} articles ({len(texts)} chunks): "
                f"incremental {added['total']:.2f} s (open {added['open']:.2f} s, ingest and "
                f"save {added['ingest']:.2f} s); embedding alone {alone:.2f} s; "
                f"ratio {ratios[-1]:.2f}"
            )
        runtime.engine.dispose()
    ratio = median(ratios)
    print(f"incremental / embedding alone: {ratio:.2f} (median of {len(ratios)} rounds); "
          f"target <= {TARGET:.0f}: {verdict(ratio <= TARGET)}")  # fmt: skip
    emit(
        NAME,
        {
            "base_chunks": base_chunks,
            "new_articles": NEW_ARTICLES,
            "rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds],
            "ratio": round(ratio, 3),
            "target": TARGET,
            "ok": ratio <= TARGET,
        },
    )


if __name__ == "__main__":
    main()
