"""Indexing a few articles right away (`/ingest URL`), saying what became of each one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.db import session_scope
from index.identity import article_key
from index.indexing_types import merge_new_chunks
from index.pipeline import Indexer, NewChunks
from index.types import Article, IngestReport


@dataclass(frozen=True)
class IngestedArticle:
    """One article after ingesting: status is "new", "updated" or "duplicate"."""

    title: str
    status: str
    article_id: int | None  # None: a copy of an article stored under another address
    chunks: int


@dataclass(frozen=True)
class IngestNowResult:
    report: IngestReport
    articles: tuple[IngestedArticle, ...]
    new_chunks: NewChunks | None  # for the alert matcher; None when nothing was embedded


def ingest_now(
    indexer: Indexer, sessions: sessionmaker[Session], articles: Sequence[Article]
) -> IngestNowResult:
    """Open `indexer`, ingest `articles` in one pass, and describe each one. Blocking."""
    indexer.open()
    parts: list[NewChunks] = []
    report = indexer.ingest(articles, on_chunks=parts.append)
    new_chunks = merge_new_chunks(parts)
    new_ids = set(report.new_article_ids)
    changed = set(new_chunks.article_ids) if new_chunks is not None else set()
    described: list[IngestedArticle] = []
    with session_scope(sessions) as session:
        for article in articles:
            stored = store.get_article_by_key(session=session, key=article_key(article))
            if stored is None:
                described.append(IngestedArticle(article.title, "duplicate", None, 0))
                continue
            count = len(store.chunks_for_articles(session=session, article_ids=[stored.id]))
            if stored.id in new_ids:
                status = "new"
            elif stored.id in changed:
                status = "updated"
            else:
                status = "duplicate"
            described.append(IngestedArticle(stored.title, status, stored.id, count))
    return IngestNowResult(report=report, articles=tuple(described), new_chunks=new_chunks)
