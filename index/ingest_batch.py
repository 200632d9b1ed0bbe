"""The database half of ingesting: one batch of articles stored in one transaction.

Each article is upserted (exact duplicates are skipped), given its story cluster (a
near-duplicate of a known story joins it, anything else starts its own), and, when new or
changed, chunked with its old chunks replaced. `index/pipeline.py` then embeds and indexes
the chunks this returns, after the commit: the database stays the source of truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.chunking import chunk_article
from index.db import session_scope
from index.identity import article_key, content_hash, fingerprint
from index.indexing_types import IndexingConfig
from index.stories import LazyStories
from index.types import Article, ParseFailure, StoredChunk, UpsertStatus


@dataclass
class IngestTally:
    """Running counts of one ingest pass."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    failures: list[ParseFailure] = field(default_factory=list)
    new_ids: list[int] = field(default_factory=list)
    seen: int = 0
    embedded: int = 0


def store_batch(
    sessions: sessionmaker[Session],
    articles: Sequence[Article],
    *,
    stories: LazyStories,
    tally: IngestTally,
    config: IndexingConfig,
) -> tuple[list[StoredChunk], list[int], list[int]]:
    """One transaction: upsert the articles, assign stories, replace changed chunks.

    Returns the new chunks, the ids of the chunks removed, and the ids of the new or
    changed articles; `tally` counts new, updated and duplicate articles.
    """
    chunks: list[StoredChunk] = []
    removed: list[int] = []
    changed: list[int] = []
    with session_scope(sessions) as session:
        for article in articles:
            fp = fingerprint(article.body)
            result = store.upsert_article(
                session=session,
                article=article,
                key=article_key(article),
                content_hash=content_hash(article.title, article.body),
                fingerprint=fp,
            )
            if result.status is UpsertStatus.DUPLICATE:
                tally.duplicates += 1
                continue
            if result.status is UpsertStatus.NEW:
                tally.new += 1
                tally.new_ids.append(result.article_id)
            else:
                tally.updated += 1
            removed.extend(result.removed_chunk_ids)
            clusterer = stories.get(session)
            clusterer.remove(result.article_id)  # its old text, or its row just read
            story = clusterer.find(fp, threshold=config.story_threshold)
            story_id = story if story is not None else result.article_id
            store.set_story(session=session, article_id=result.article_id, story_id=story_id)
            clusterer.add(result.article_id, story_id, fp)
            pieces = chunk_article(
                article,
                target_words=config.chunk_words,
                overlap_words=config.overlap_words,
            )
            chunks.extend(
                store.replace_chunks(session=session, article_id=result.article_id, chunks=pieces)
            )
            changed.append(result.article_id)
    # An article given twice in one batch replaces chunks this batch has just made:
    # those are gone from the database and must not reach the indexes either.
    gone = set(removed)
    fresh = [chunk for chunk in chunks if chunk.id not in gone]
    return fresh, removed, list(dict.fromkeys(changed))
