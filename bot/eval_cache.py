"""What a cached eval index depends on, as a key: the articles file's content, the
embedding model and precision, and everything that shapes chunks and tokens.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from index.chunking import chunk_article
from index.fingerprints import fingerprint
from index.keyword import tokenize
from index.parsing import iter_article_files
from index.types import Article


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (the realtimeqa file is 9 MB: ~30 ms)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def path_digest(path: Path) -> str:
    """`file_digest` of a file; of a folder, a digest over the article files it holds
    (relative names and contents), as `newsbot ingest` would read them."""
    if not path.is_dir():
        return file_digest(path)
    digest = hashlib.sha256()
    for file in iter_article_files(path):
        digest.update(f"{file.relative_to(path)}\0{file_digest(file)}\0".encode())
    return digest.hexdigest()[:16]


def cache_key(runtime: Runtime, articles: Path) -> dict[str, Any]:
    """Everything the cached index of `articles` (a file or folder) depends on. Chunking
    and tokenising code is covered by a probe article run through them, so a changed
    header or splitter rebuilds too."""
    config = runtime.indexing_config()
    probe = Article(
        title="Probe headline",
        body="First sentence of the probe. Dr. Smith said the U.S. paid $1,000 on Monday.\n\n"
        "A second paragraph follows, with more words in it.",
        source="Wire",
        published_at=datetime(2020, 1, 2, tzinfo=UTC),
        url="https://example.com/probe",
    )
    chunks = chunk_article(
        probe, target_words=config.chunk_words, overlap_words=config.overlap_words
    )
    shapes = json.dumps(
        [[c.text, c.embed_text] for c in chunks] + [tokenize(probe.body)], ensure_ascii=False
    ).encode("utf-8") + fingerprint(probe.body)
    embedder = runtime.embedder
    return {
        "articles": str(articles.resolve()),
        # The content, not the mtime: a copied or touched file must not cost a cold build.
        "content": path_digest(articles),
        "model": embedder.model_name,
        "precision": str(getattr(embedder, "precision", "n/a")),
        "chunk_words": config.chunk_words,
        "overlap_words": config.overlap_words,
        "story_threshold": config.story_threshold,
        "approximate_threshold": config.approximate_threshold,
        "shapes": hashlib.sha256(shapes).hexdigest()[:16],
    }


def key_digest(key: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
