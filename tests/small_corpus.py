"""A small indexed corpus for the integration tests: Wikinews samples, the hashing embedder.

The real pipeline (`Runtime` -> `Indexer`) stores, chunks and indexes a few dozen of the
bundled Wikinews articles into the database at `database_url` and an index folder under
`data_dir`; ranking does not matter here, so no model is loaded.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import HashingEmbedder
from index.parsing import iter_path
from index.types import Article, IngestReport

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "wikinews" / "articles.jsonl"
EMBEDDING_DIMENSION = 256


def sample_articles(count: int) -> list[Article]:
    """The first `count` dated Wikinews sample articles."""
    articles = (
        item
        for item in iter_path(SAMPLES)
        if isinstance(item, Article) and item.published_at is not None
    )
    return list(itertools.islice(articles, count))


def make_settings(database_url: str, data_dir: Path, **values: Any) -> Settings:
    """Settings for tests: no `.env`; no LLM, bot token or private URLs unless given."""
    fields: dict[str, Any] = {
        "database_url": database_url,
        "data_dir": data_dir,
        "openai_base_url": None,
        "openai_api_key": None,
        "telegram_bot_token": None,
        "allow_private_urls": False,
        "timezone": "UTC",
        "chunk_words": 120,
        "chunk_overlap_words": 20,
    }
    fields.update(values)
    return Settings(_env_file=None, **fields)


def with_llm(folder: Path, base_url: str) -> Settings:
    """Test settings (SQLite under `folder`) answering through the LLM at `base_url`, a local
    fake server: one try, 5 s."""
    return make_settings(
        f"sqlite:///{folder / 'newsbot.db'}",
        folder / "data",
        openai_base_url=base_url,
        openai_api_key="test-key",
        llm_timeout_seconds=5.0,
        llm_max_retries=0,
    )


def make_runtime(settings: Settings) -> Runtime:
    return Runtime(settings, embedder=HashingEmbedder(dimension=EMBEDDING_DIMENSION))


def index_articles(runtime: Runtime, articles: list[Article]) -> IngestReport:
    """Store and index `articles` through the real pipeline (the index is saved)."""
    indexer = runtime.indexer()
    indexer.open()
    return indexer.ingest(articles)
