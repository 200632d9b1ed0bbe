"""The database half of ingesting: one batch of articles stored in one transaction.

Each article is stored under its identity key (exact duplicates are skipped), given its
story cluster (a near-duplicate of a known story joins it, anything else starts its own),
and, when new or changed, chunked with its old chunks replaced. `index/pipeline.py` then
embeds and indexes the chunks this returns, after the commit: the database stays the
source of truth.

The outcome is that of storing the articles one by one with `store.upsert_article`,
`store.set_story` and `store.replace_chunks` (same ids, stories, counts and removed
chunks), in a handful of statements per batch instead of six per article: keys and
content hashes are looked up for the whole batch, then new articles, story ids and chunks
are written together. A key met twice in one batch writes what came before it first, so
the second sees the first as stored, as it would one by one.

For an ingest whose new articles go to the alert matcher, the same transaction records
the new and updated articles as unmatched (`index/store_unmatched.py`): a crash before
the matcher has seen them loses no alert.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from index import store
from index.chunking import chunk_article
from index.db import session_scope
from index.fingerprints import fingerprint
from index.identity import article_key, content_hash
from index.indexing_types import IndexingConfig
from index.store_article_lookups import ids_by_content_hash, ids_by_key
from index.store_articles import ArticleWrite, insert_articles, set_stories, update_articles
from index.store_chunks import delete_chunks_of, insert_chunks
from index.store_unmatched import mark_unmatched
from index.stories import LazyStories
from index.types import Article, ChunkText, ParseFailure, StoredChunk, UpsertStatus

log = logging.getLogger(__name__)
_NOT_INSERTED = 0  # stands for a waiting new article's id (row ids start at 1)


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
    keys: set[str] = field(default_factory=set)  # every article key met in this pass


@dataclass(frozen=True)
class _Change:
    write: ArticleWrite
    article_id: int | None  # None: a new article, not inserted yet


class _BatchWriter:
    """One transaction's view of the articles it touches, and the changes not yet written.

    `_by_key` and `_by_hash` start as the database's answer for the batch's keys and
    content hashes and follow every decision taken since, written or not.
    """

    def __init__(
        self,
        session: Session,
        *,
        stories: LazyStories,
        tally: IngestTally,
        config: IndexingConfig,
        keyed: Sequence[tuple[Article, str, str]],
    ) -> None:
        self._session = session
        self._stories = stories
        self._tally = tally
        self._config = config
        self._by_key = ids_by_key(session=session, keys=[key for _, key, _ in keyed])
        # Only an article whose key is unknown is checked by content, and keys only become
        # known: these hashes cover every check below.
        self._by_hash = ids_by_content_hash(
            session=session, hashes=[h for _, key, h in keyed if key not in self._by_key]
        )
        self._waiting: list[_Change] = []
        self._waiting_keys: set[str] = set()
        self.chunks: list[StoredChunk] = []
        self.removed: list[int] = []
        self.changed: list[int] = []

    def take(self, article: Article, key: str, digest: str) -> None:
        """Decide what `article` is (duplicate, update, new) and queue its writes."""
        if key in self._waiting_keys:
            self.flush()  # it must see its namesake stored
        known = self._by_key.get(key)
        if known is not None:
            article_id, stored_hash = known
            if stored_hash == digest:
                self._tally.duplicates += 1
                return
            self._tally.updated += 1
            self._by_hash.get(stored_hash, set()).discard(article_id)
            self._by_hash.setdefault(digest, set()).add(article_id)
        elif self._by_hash.get(digest):
            self._tally.duplicates += 1  # the same text stored under another key
            return
        else:
            article_id = None
            self._by_hash.setdefault(digest, set()).add(_NOT_INSERTED)
        self._by_key[key] = (article_id or _NOT_INSERTED, digest)
        write = ArticleWrite(article, key, digest, fingerprint(article.body))
        self._waiting.append(_Change(write, article_id))
        self._waiting_keys.add(key)

    def flush(self) -> None:
        """Write the waiting changes: articles, story ids, chunks."""
        if not self._waiting:
            return
        changes, self._waiting, self._waiting_keys = self._waiting, [], set()
        session = self._session
        # Loaded (the first time) before this flush writes: the clusterer sees the articles
        # of this batch only as each is added below, in order, as one by one would.
        clusterer = self._stories.get(session)
        updates = [(c.article_id, c.write) for c in changes if c.article_id is not None]
        removed = delete_chunks_of(session=session, article_ids=[i for i, _ in updates])
        update_articles(session=session, updates=updates)
        inserted = insert_articles(
            session=session, writes=[c.write for c in changes if c.article_id is None]
        )
        stories: list[tuple[int, int]] = []
        pieces: list[tuple[int, ChunkText]] = []
        for change in changes:
            write = change.write
            if change.article_id is None:
                article_id = self._inserted_id(write, inserted)
                if article_id is None:
                    continue
            else:
                article_id = change.article_id
                self.removed.extend(removed.get(article_id, ()))
            clusterer.remove(article_id)  # an updated article's old text
            story = clusterer.find(write.fingerprint, threshold=self._config.story_threshold)
            story_id = story if story is not None else article_id
            clusterer.add(article_id, story_id, write.fingerprint)
            stories.append((article_id, story_id))
            pieces.extend(
                (article_id, piece)
                for piece in chunk_article(
                    write.article,
                    target_words=self._config.chunk_words,
                    overlap_words=self._config.overlap_words,
                )
            )
            self.changed.append(article_id)
        set_stories(session=session, stories=stories)
        self.chunks.extend(insert_chunks(session=session, chunks=pieces))

    def _inserted_id(self, write: ArticleWrite, inserted: dict[str, int]) -> int | None:
        """The id of a new article just inserted; None when it turned out a duplicate."""
        tally = self._tally
        article_id = inserted.get(write.key)
        self._by_hash[write.content_hash].discard(_NOT_INSERTED)
        if article_id is None:
            # Another writer stored this key since the look-up: decide again, one by one.
            result = store.upsert_article(
                session=self._session,
                article=write.article,
                key=write.key,
                content_hash=write.content_hash,
                fingerprint=write.fingerprint,
            )
            self._by_key.pop(write.key, None)
            self._by_key.update(ids_by_key(session=self._session, keys=[write.key]))
            if result.status is UpsertStatus.DUPLICATE:
                tally.duplicates += 1
                return None
            self._by_hash[write.content_hash].add(result.article_id)
            if result.status is UpsertStatus.UPDATED:
                tally.updated += 1
                self.removed.extend(result.removed_chunk_ids)
                return result.article_id
            article_id = result.article_id
        else:
            self._by_hash[write.content_hash].add(article_id)
            self._by_key[write.key] = (article_id, write.content_hash)
        tally.new += 1
        tally.new_ids.append(article_id)
        return article_id


def first_of_each_key(articles: Sequence[Article], tally: IngestTally) -> list[Article]:
    """The articles whose key no earlier article of this pass had; the others are counted
    as duplicates. Two files naming one address (".../a.html" and ".../a.html/") would
    otherwise replace each other on every run, each time "updated" and embedded again."""
    kept: list[Article] = []
    for article in articles:
        key = article_key(article)
        if key in tally.keys:
            tally.duplicates += 1
            log.debug("skipped %r: its address was met earlier in this run", article.title)
            continue
        tally.keys.add(key)
        kept.append(article)
    return kept


def store_batch(
    sessions: sessionmaker[Session],
    articles: Sequence[Article],
    *,
    stories: LazyStories,
    tally: IngestTally,
    config: IndexingConfig,
    unmatched: bool = False,
) -> tuple[list[StoredChunk], list[int], list[int]]:
    """One transaction: store the articles, assign stories, replace changed chunks, and
    with `unmatched` record the new or changed articles as waiting for the alert matcher.

    Returns the new chunks, the ids of the chunks removed, and the ids of the new or
    changed articles; `tally` counts new, updated and duplicate articles.
    """
    keyed = [(a, article_key(a), content_hash(a.title, a.body)) for a in articles]
    with session_scope(sessions) as session:
        writer = _BatchWriter(session, stories=stories, tally=tally, config=config, keyed=keyed)
        for article, key, digest in keyed:
            writer.take(article, key, digest)
        writer.flush()
        if unmatched:
            mark_unmatched(session=session, article_ids=writer.changed)
    # An article given twice in one batch replaces chunks this batch has just made:
    # those are gone from the database and must not reach the indexes either.
    gone = set(writer.removed)
    fresh = [chunk for chunk in writer.chunks if chunk.id not in gone]
    return fresh, writer.removed, list(dict.fromkeys(writer.changed))
