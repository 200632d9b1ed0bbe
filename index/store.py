"""The store: every read and write of the product's records, in one import.

Store functions take the session as a keyword argument (`session=...`) and return frozen
dataclasses from `index.types`; the caller owns the transaction (`index.db.session_scope`).
The functions live in one module per concept and are re-exported here.
"""

from __future__ import annotations

from index.store_admin import (
    add_source,
    finish_reindex_run,
    get_source,
    last_reindex_run,
    list_sources,
    log_question,
    questions_by_user_since,
    questions_today,
    record_fetch,
    remove_source,
    start_reindex_run,
)
from index.store_articles import (
    corpus_stats,
    get_article_by_key,
    get_articles,
    iter_fingerprints,
    latest_articles,
    set_story,
    upsert_article,
)
from index.store_chat import (
    add_turn,
    clear_turns,
    prune_turns,
    recent_turns,
    set_turn_message_id,
    turn_by_message,
    turn_chain,
    turns_until,
)
from index.store_chunks import (
    all_chunk_ids,
    chunk_count,
    chunk_meta,
    chunk_span,
    chunks_for_articles,
    get_chunks,
    iter_chunks,
    replace_chunks,
)
from index.store_deliveries import alerts_delivered_today, enqueue_delivery
from index.store_delivery_claims import (
    claim_due_digests,
    claim_pending,
    mark_digest_sent,
    mark_failed,
    mark_sent,
    mark_skipped,
    release_claims,
)
from index.store_subscriptions import (
    active_subscriptions,
    add_subscription,
    count_subscriptions,
    get_subscription,
    list_subscriptions,
    pause_chat_subscriptions,
    remove_subscription,
    set_digest,
    set_subscription_active,
)

__all__ = [
    "active_subscriptions",
    "add_source",
    "add_subscription",
    "add_turn",
    "alerts_delivered_today",
    "all_chunk_ids",
    "chunk_count",
    "chunk_meta",
    "chunk_span",
    "chunks_for_articles",
    "claim_due_digests",
    "claim_pending",
    "clear_turns",
    "corpus_stats",
    "count_subscriptions",
    "enqueue_delivery",
    "finish_reindex_run",
    "get_article_by_key",
    "get_articles",
    "get_chunks",
    "get_source",
    "get_subscription",
    "iter_chunks",
    "iter_fingerprints",
    "last_reindex_run",
    "latest_articles",
    "list_sources",
    "list_subscriptions",
    "log_question",
    "mark_digest_sent",
    "mark_failed",
    "mark_sent",
    "mark_skipped",
    "pause_chat_subscriptions",
    "prune_turns",
    "questions_by_user_since",
    "questions_today",
    "recent_turns",
    "record_fetch",
    "release_claims",
    "remove_source",
    "remove_subscription",
    "replace_chunks",
    "set_digest",
    "set_story",
    "set_subscription_active",
    "set_turn_message_id",
    "start_reindex_run",
    "turn_by_message",
    "turn_chain",
    "turns_until",
    "upsert_article",
]
