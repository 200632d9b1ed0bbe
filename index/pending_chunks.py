"""The chunks an ingest has stored but not embedded yet, gathered into embed groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from index.types import StoredChunk


@dataclass
class PendingChunks:
    """Chunks stored but not embedded yet, and the new or changed articles they belong to."""

    chunks: list[StoredChunk] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)
    embedding: int = 0  # of a group being embedded: chunks not embedded yet

    def add(self, chunks: Sequence[StoredChunk], article_ids: Sequence[int]) -> None:
        self.chunks.extend(chunks)
        self.article_ids.extend(article_ids)

    def drop(self, chunk_ids: Sequence[int]) -> None:
        gone = set(chunk_ids)
        self.chunks = [c for c in self.chunks if c.id not in gone]

    def take(self) -> tuple[list[StoredChunk], list[int]]:
        taken = self.chunks, list(dict.fromkeys(self.article_ids))
        self.chunks, self.article_ids = [], []
        return taken
