"""Synthetic indexes of realistic size: clustered vectors, BM25 over word salad, a catalog.

Vectors are random but clustered (each a random centre plus noise, cosine ~0.7 to its
centre), so an approximate index has structure to work with; their recall says nothing
about real embeddings (measure that on real vectors). Texts are words drawn with the word
frequencies of the bundled Wikinews sample, so real questions hit postings of realistic
length. Chunks belong to articles of `CHUNKS_PER_ARTICLE`, dated over 2022, from ten
outlets. Passages are made up on demand: there is no database behind them.

Built indexes are kept under `data/bench/` and reused by later runs (building 1M takes
minutes); the catalog is regenerated (seconds).
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from common import BENCH_CACHE, sample_articles

from index.keyword import Bm25Index
from index.tokenize import tokenize
from index.types import StoredArticle, StoredChunk
from index.vectors import FaissVectorIndex
from retrieval.catalog import ChunkCatalog
from retrieval.passage_loading import PassageLoader

VERSION = 1  # bump when the generator changes, so cached indexes are rebuilt
DIMENSION = 384
CHUNKS_PER_ARTICLE = 4
POINTS_PER_CLUSTER = 500
START = datetime(2022, 1, 1, tzinfo=UTC).timestamp()
SPAN_DAYS = 365
SOURCES = (
    "Reuters",
    "Associated Press",
    "BBC News",
    "The Guardian",
    "Al Jazeera",
    "CNN",
    "NPR",
    "Deutsche Welle",
    "France 24",
    "The Hindu",
)
_DONE = "complete"


@dataclass(frozen=True)
class SyntheticIndex:
    vectors: FaissVectorIndex
    keywords: Bm25Index
    catalog: ChunkCatalog
    load_passages: PassageLoader
    words_per_text: int
    build_seconds: float  # 0 when loaded from the cache


def words_per_text(count: int) -> int:
    """Real chunks hold ~110 index terms; at a million, short texts keep the build quick."""
    return 100 if count <= 200_000 else 32


def word_model() -> tuple[list[str], np.ndarray]:
    """Index terms of the Wikinews sample and their cumulative frequencies."""
    counts = Counter(term for article in sample_articles() for term in tokenize(article.body))
    words = [word for word, _ in counts.most_common()]
    weights = np.asarray([counts[word] for word in words], dtype=np.float64)
    return words, np.cumsum(weights / weights.sum())


def clustered_vectors(count: int, *, seed: int = 1) -> np.ndarray:
    """(count, DIMENSION) unit float32 rows around count / POINTS_PER_CLUSTER centres."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, count // POINTS_PER_CLUSTER), DIMENSION), np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((count, DIMENSION), dtype=np.float32)
    for start in range(0, count, 100_000):
        end = min(count, start + 100_000)
        noise = rng.standard_normal((end - start, DIMENSION), np.float32)
        noise *= np.float32(1 / np.sqrt(DIMENSION))  # |noise| ~ 1 = |centre|
        block = centres[rng.integers(len(centres), size=end - start)] + noise
        out[start:end] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def synthetic_texts(count: int, length: int, *, seed: int = 2) -> list[str]:
    words, cdf = word_model()
    vocabulary = np.asarray(words, dtype=object)
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    for start in range(0, count, 50_000):
        rows = min(50_000, count - start)
        picks = np.minimum(np.searchsorted(cdf, rng.random((rows, length))), len(words) - 1)
        texts.extend(" ".join(row) for row in vocabulary[picks].tolist())
    return texts


def synthetic_catalog(count: int, *, seed: int = 3) -> ChunkCatalog:
    ids = np.arange(1, count + 1, dtype=np.int64)
    articles = (ids - 1) // CHUNKS_PER_ARTICLE + 1
    rng = np.random.default_rng(seed)
    article_times = START + rng.random(int(articles[-1]) + 1) * SPAN_DAYS * 86_400
    sources = [SOURCES[a % len(SOURCES)] for a in articles.tolist()]
    return ChunkCatalog.from_arrays(
        ids, articles, article_times[articles], sources, -np.ones_like(ids)
    )


def synthetic_loader(catalog: ChunkCatalog) -> PassageLoader:
    """Made-up passages for chunk ids (what the store would load for the final k)."""

    def load(ids: Sequence[int]) -> Mapping[int, tuple[StoredChunk, StoredArticle]]:
        wanted = np.asarray(list(ids), dtype=np.int64)
        articles, _, published = catalog.columns_of(wanted)
        out: dict[int, tuple[StoredChunk, StoredArticle]] = {}
        for chunk_id, article_id, moment in zip(
            wanted.tolist(), articles.tolist(), published.tolist(), strict=True
        ):
            if article_id < 0:
                continue
            text = f"Synthetic passage {chunk_id} of article {article_id}."
            chunk = StoredChunk(chunk_id, article_id, 0, text, text)
            article = StoredArticle(
                id=article_id,
                key=f"synthetic:{article_id}",
                title=f"Synthetic article {article_id}",
                body=text,
                source=SOURCES[article_id % len(SOURCES)],
                published_at=datetime.fromtimestamp(moment, tz=UTC),
                url=f"https://example.com/{article_id}",
                language="en",
                content_hash=str(article_id),
            )
            out[chunk_id] = (chunk, article)
        return out

    return load


def synthetic_index(
    count: int, *, model_name: str, approximate_threshold: int, threads: int = 2
) -> SyntheticIndex:
    """The synthetic index of `count` chunks: from the cache, else built (and cached)."""
    length = words_per_text(count)
    folder = BENCH_CACHE / f"synthetic-{count}-t{approximate_threshold}-w{length}-v{VERSION}"
    catalog = synthetic_catalog(count)
    loader = synthetic_loader(catalog)
    if (folder / _DONE).is_file():
        vectors = FaissVectorIndex.load_from(
            folder, expected_model=model_name, expected_dimension=DIMENSION, threads=threads
        )
        keywords = Bm25Index.load_from(folder)
        return SyntheticIndex(vectors, keywords, catalog, loader, length, 0.0)
    started = time.perf_counter()
    ids = np.arange(1, count + 1, dtype=np.int64)
    print(f"  building the synthetic {count:,}-chunk index (cached in {folder})", flush=True)
    vectors = FaissVectorIndex.build(
        ids,
        clustered_vectors(count),
        approximate_threshold=approximate_threshold,
        threads=threads,
    )
    print(f"  vectors: {vectors.kind} in {time.perf_counter() - started:.0f} s", flush=True)
    keywords = Bm25Index()
    texts = synthetic_texts(count, length)
    for start in range(0, count, 50_000):
        keywords.add(ids[start : start + 50_000], texts[start : start + 50_000])
    del texts
    build_seconds = time.perf_counter() - started
    print(f"  vectors and BM25 built in {build_seconds:.0f} s", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    vectors.save_to(folder, model_name=model_name)
    keywords.save_to(folder)
    (folder / _DONE).write_text(f"{build_seconds:.1f}\n", encoding="utf-8")
    return SyntheticIndex(vectors, keywords, catalog, loader, length, build_seconds)
