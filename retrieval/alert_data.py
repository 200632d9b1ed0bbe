"""A labelled alert-evaluation directory, read, chunked and embedded (with a disk cache).

The directory holds `articles.jsonl` (records with `title`, `body`, `category`) and,
optionally, `topics.json` mapping each category to the phrase its subscriber types. Items
are chunked like the indexer does (`chunk_article`, default sizes) and the chunks'
`embed_text` is embedded; the vectors are cached as .npy files keyed by a hash of the
records file, the model name and the chunking parameters.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.chunking import chunk_article
from index.errors import BadInputError, ParseError
from index.parsing.json_records import record_to_article
from index.protocols import Embedder, FloatMatrix, IdArray
from index.types import Article
from retrieval.alerts import NewArticles

logger = logging.getLogger(__name__)

CHUNK_WORDS = 200  # chunk_article's defaults: the sizes the indexer uses
CHUNK_OVERLAP_WORDS = 40
_CACHE_VERSION = 1


@dataclass(frozen=True, eq=False)
class LabelledItems:
    """Articles with their category, and their chunks (row i of the chunk arrays is chunk i)."""

    articles: tuple[Article, ...]
    categories: tuple[str, ...]
    topics: dict[str, str]  # category -> subscription phrase, in category order
    chunk_article_ids: IdArray  # (n_chunks,) index into `articles`
    chunk_texts: tuple[str, ...]
    chunk_embed_texts: tuple[str, ...]
    skipped: int  # records that were not usable articles


@dataclass(frozen=True, eq=False)
class EmbeddedItems:
    items: LabelledItems
    chunk_vectors: FloatMatrix  # (n_chunks, d)
    title_vectors: FloatMatrix  # (n_articles, d): the bare titles
    embed_seconds: float  # 0 when read from the cache


def load_labelled_items(
    directory: Path, *, target_words: int = CHUNK_WORDS, overlap_words: int = CHUNK_OVERLAP_WORDS
) -> LabelledItems:
    """Read DIR/articles.jsonl and DIR/topics.json; BadInputError when the shape is wrong."""
    records_path = directory / "articles.jsonl"
    if not records_path.is_file():
        raise BadInputError(f"No articles.jsonl in {directory.name or directory}.")
    articles: list[Article] = []
    categories: list[str] = []
    skipped = 0
    with records_path.open(encoding="utf-8") as stream:
        for line in stream:
            if not line.strip():
                continue
            record = json.loads(line)
            category = record.get("category") if isinstance(record, dict) else None
            if not isinstance(category, str) or not category.strip():
                skipped += 1
                continue
            try:
                articles.append(record_to_article(record))
            except ParseError:
                skipped += 1
                continue
            categories.append(category.strip())
    if not articles:
        raise BadInputError("articles.jsonl holds no records with a title, body and category.")
    topics = _read_topics(directory / "topics.json", sorted(set(categories)))
    chunk_ids: list[int] = []
    texts: list[str] = []
    embed_texts: list[str] = []
    for number, article in enumerate(articles):
        for chunk in chunk_article(article, target_words=target_words, overlap_words=overlap_words):
            chunk_ids.append(number)
            texts.append(chunk.text)
            embed_texts.append(chunk.embed_text)
    return LabelledItems(
        articles=tuple(articles),
        categories=tuple(categories),
        topics=topics,
        chunk_article_ids=np.asarray(chunk_ids, dtype=np.int64),
        chunk_texts=tuple(texts),
        chunk_embed_texts=tuple(embed_texts),
        skipped=skipped,
    )


def as_new_articles(items: LabelledItems, embedded: EmbeddedItems) -> NewArticles:
    """The labelled items as the matcher's batch of newly indexed articles."""
    return NewArticles(
        article_ids=range(len(items.articles)),
        titles=[a.title for a in items.articles],
        bodies=[a.body for a in items.articles],
        chunk_vectors=embedded.chunk_vectors,
        chunk_article_ids=items.chunk_article_ids,
        chunk_texts=items.chunk_texts,
    )


def _read_topics(path: Path, categories: list[str]) -> dict[str, str]:
    """Each category's phrase: topics.json's when it names one, else the category itself."""
    mapping: dict[str, str] = {}
    if path.is_file():
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise BadInputError("topics.json must map each category to a phrase.")
        mapping = {str(k).strip(): str(v) for k, v in loaded.items() if str(v).strip()}
    return {category: mapping.get(category, category) for category in categories}


def embed_items(
    items: LabelledItems,
    directory: Path,
    *,
    embedder: Embedder,
    cache_dir: Path | None,
) -> EmbeddedItems:
    """Chunk and title vectors of the items, read from `cache_dir` when computed before."""
    key = _cache_key(directory / "articles.jsonl", embedder.model_name, items)
    cached = _read_cache(cache_dir, key, items, embedder.dimension) if cache_dir else None
    if cached is not None:
        return EmbeddedItems(items, cached[0], cached[1], embed_seconds=0.0)
    started = time.perf_counter()
    chunk_vectors = embedder.embed(list(items.chunk_embed_texts))
    title_vectors = embedder.embed([article.title for article in items.articles])
    seconds = time.perf_counter() - started
    if cache_dir is not None:
        _write_cache(cache_dir, key, chunk_vectors, title_vectors)
    return EmbeddedItems(items, chunk_vectors, title_vectors, embed_seconds=seconds)


def _cache_key(records: Path, model_name: str, items: LabelledItems) -> str:
    digest = hashlib.sha256()
    with records.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    # The chunk texts stand for the chunking parameters and the chunker's own version.
    chunking = hashlib.sha256("\x00".join(items.chunk_embed_texts).encode("utf-8")).hexdigest()
    digest.update(f"\x00{model_name}\x00{chunking}\x00v{_CACHE_VERSION}".encode())
    return digest.hexdigest()[:32]


def _cache_paths(cache_dir: Path, key: str) -> tuple[Path, Path]:
    return cache_dir / f"alert-eval-{key}-chunks.npy", cache_dir / f"alert-eval-{key}-titles.npy"


def _read_cache(
    cache_dir: Path, key: str, items: LabelledItems, dimension: int
) -> tuple[FloatMatrix, FloatMatrix] | None:
    chunk_path, title_path = _cache_paths(cache_dir, key)
    if not (chunk_path.is_file() and title_path.is_file()):
        return None
    try:
        chunks = np.load(chunk_path)
        titles = np.load(title_path)
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable embedding cache %s: %s", chunk_path.name, exc)
        return None
    if chunks.shape != (len(items.chunk_embed_texts), dimension) or titles.shape != (
        len(items.articles),
        dimension,
    ):
        return None
    return chunks.astype(np.float32, copy=False), titles.astype(np.float32, copy=False)


def _write_cache(cache_dir: Path, key: str, chunks: FloatMatrix, titles: FloatMatrix) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    for path, array in zip(_cache_paths(cache_dir, key), (chunks, titles), strict=True):
        # Written aside and renamed: a crash never leaves a truncated cache file.
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".npy.tmp")
        with os.fdopen(handle, "wb") as stream:
            np.save(stream, array)
        Path(temporary).replace(path)


class KnownTexts:
    """An `Embedder` that serves texts embedded before from their vectors (the evaluation's
    cached chunk vectors) and embeds only the others; `seconds` is the time spent on those."""

    def __init__(self, embedder: Embedder, known: Mapping[str, FloatMatrix]) -> None:
        self._embedder = embedder
        self._known = known
        self.seconds = 0.0

    @property
    def model_name(self) -> str:
        return self._embedder.model_name

    @property
    def dimension(self) -> int:
        return self._embedder.dimension

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing = [i for i, text in enumerate(texts) if text not in self._known]
        for i, text in enumerate(texts):
            if text in self._known:
                rows[i] = self._known[text]
        if missing:
            started = time.perf_counter()
            rows[missing] = self._embedder.embed([texts[i] for i in missing])
            self.seconds += time.perf_counter() - started
        return rows

    def embed_query(self, text: str) -> FloatMatrix:
        return self._embedder.embed_query(text)


def known_chunks(embedded: EmbeddedItems, embedder: Embedder) -> KnownTexts:
    """`embedder` serving the items' chunk vectors by embedded text: the re-scoring without
    the outlet (`alert_rescore`) then embeds only chunks whose header held more than the
    title (an outlet or a date)."""
    texts = embedded.items.chunk_embed_texts
    return KnownTexts(embedder, dict(zip(texts, embedded.chunk_vectors, strict=True)))
