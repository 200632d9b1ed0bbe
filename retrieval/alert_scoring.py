"""The matrix part of matching (see `alerts.py`): scores per block of subscriptions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from index.protocols import FloatMatrix, IdArray
from retrieval.alert_profiles import TopicProfiles

BLOCK_CELLS = 8_000_000  # part-by-chunk similarities held at once (32 MB)


@dataclass(frozen=True, eq=False)
class ChunkLayout:
    """Chunks grouped by article, so each article's chunks form one contiguous run."""

    positions: IdArray  # (n,) article position of each chunk, in the caller's chunk order
    order: IdArray  # chunk indices grouped by article position
    starts: IdArray  # (A,) where each article's run starts in `order`
    vectors: FloatMatrix  # (n, d) chunk vectors in `order`

    @classmethod
    def of(
        cls, article_ids: IdArray, chunk_article_ids: IdArray, chunk_vectors: FloatMatrix
    ) -> ChunkLayout:
        ids = np.asarray(article_ids, dtype=np.int64)
        chunk_ids = np.asarray(chunk_article_ids, dtype=np.int64)
        if len(ids) == 0 and len(chunk_ids):
            raise ValueError("a chunk belongs to an article that is not in article_ids")
        sorter = np.argsort(ids, kind="stable")
        found = np.minimum(np.searchsorted(ids, chunk_ids, sorter=sorter), len(ids) - 1)
        positions = sorter[found]
        if not np.array_equal(ids[positions], chunk_ids):
            raise ValueError("a chunk belongs to an article that is not in article_ids")
        if len(np.unique(positions)) != len(ids):
            raise ValueError("every article needs at least one chunk")
        order = np.argsort(positions, kind="stable")
        starts = np.flatnonzero(np.r_[True, np.diff(positions[order]) != 0]) if len(ids) else order
        vectors = np.ascontiguousarray(np.asarray(chunk_vectors, dtype=np.float32)[order])
        return cls(positions, order, starts, vectors)

    def run_of(self, article: int) -> tuple[int, int]:
        """Where the article at this position has its chunks in `order` and `vectors`."""
        end = self.starts[article + 1] if article + 1 < len(self.starts) else len(self.order)
        return int(self.starts[article]), int(end)


def topic_blocks(part_owner: IdArray, topics: int, chunks: int) -> list[tuple[int, int]]:
    """Contiguous subscription ranges whose parts x chunks fit in BLOCK_CELLS."""
    limit = max(1, BLOCK_CELLS // max(1, chunks))
    counts = np.bincount(part_owner, minlength=topics).tolist()
    blocks, first, held = [], 0, 0
    for index, count in enumerate(counts):
        if held and held + count > limit:
            blocks.append((first, index))
            first, held = index, 0
        held += count
    blocks.append((first, topics))
    return blocks


def direct_scores(
    parts: FloatMatrix, part_owner: IdArray, first: int, last: int, layout: ChunkLayout
) -> FloatMatrix:
    """(last - first, A): cosine of each subscription's best part to each article's best chunk."""
    rows = np.flatnonzero((part_owner >= first) & (part_owner < last))
    sims = parts[rows] @ layout.vectors.T  # the one product: parts x chunks
    if len(layout.starts) < len(layout.order):  # some article has several chunks
        sims = np.maximum.reduceat(sims, layout.starts, axis=1)
    owners = part_owner[rows]
    owner_starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    if len(owner_starts) == len(owners):  # one part per topic
        return sims
    return np.maximum.reduceat(sims, owner_starts, axis=0)


def corpus_hits(
    profiles: TopicProfiles, first: int, last: int, neighbours: sp.csr_array
) -> np.ndarray:
    """(last - first, A) bool: the article's neighbour-averaged profile score reaches the
    subscription's cut-off (covered subscriptions only)."""
    hits = np.zeros((last - first, neighbours.shape[0]), dtype=bool)
    rows = np.flatnonzero(profiles.covered[first:last])
    if len(rows) == 0:
        return hits
    scores = np.asarray(neighbours @ profiles.scores[first + rows].T).T  # (rows, A)
    hits[rows] = scores >= profiles.cutoffs[first + rows, None]
    return hits
