"""The background of topic alerts: recent articles of the corpus and their neighbour graph.

Corpus statistics only (never other users' subscriptions): the corpus route of the matcher
learns each topic's extent from these articles. Build it from the most recent articles of
the index (`alert_defaults.BACKGROUND_SIZE`) and rebuild it now and then (daily is plenty);
subscription profiles are fitted against one background and must be refitted with it
(`key` tells two backgrounds apart by content, so a rebuild that changed nothing keeps them).
Given the articles' texts too, it knows which words each article names (`alert_lexicon`):
the corpus route then alerts a topic that names something (its anchors) only for articles
that name it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from index.embedding import l2_normalise
from index.protocols import FloatMatrix, IdArray
from retrieval.alert_defaults import NEIGHBOURS
from retrieval.alert_lexicon import BackgroundWords, index_words

_BLOCK_CELLS = 8_000_000  # similarity cells held at once (32 MB of float32)
SAME_ARTICLE_COSINE = 0.9999  # a background article this close to a query is the query


@dataclass(frozen=True, eq=False)
class Background:
    """Article vectors (one unit row per article), the row-normalised kNN graph among them,
    and, per background article, its `neighbours` nearest other articles (weights 1/k): the
    same averaging a new article gets, so cut-offs fitted here apply to new articles."""

    vectors: FloatMatrix  # (B, d)
    graph: sp.csr_array  # (B, B)
    self_neighbours: sp.csr_array  # (B, B)
    neighbours: int
    key: str  # content fingerprint (vectors and k): profiles fitted on it are valid for it
    # (B,) each article's mean cosine to its `neighbours` nearest others: how close the
    # corpus's own articles sit to their neighbours (see `inside_cut`)
    closeness: FloatMatrix
    words: BackgroundWords | None = None  # the words each article names (texts given)

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    def inside_cut(self, percentile: float) -> float:
        """The mean neighbour cosine an article needs to count as inside the corpus: this
        percentile of the background articles' own (+inf when they have no neighbours)."""
        if len(self.closeness) == 0:
            return np.inf
        return float(np.percentile(self.closeness, percentile))


def article_vectors(
    chunk_vectors: FloatMatrix, chunk_article_ids: IdArray
) -> tuple[IdArray, FloatMatrix]:
    """(article ids sorted, one unit vector per article): the mean of its chunk vectors."""
    ids, inverse = np.unique(np.asarray(chunk_article_ids, dtype=np.int64), return_inverse=True)
    sums = np.zeros((len(ids), chunk_vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, inverse, np.asarray(chunk_vectors, dtype=np.float32))
    return ids, l2_normalise(sums)


def build_background(
    vectors: FloatMatrix,
    *,
    neighbours: int = NEIGHBOURS,
    texts: Sequence[str] | None = None,
) -> Background:
    """Background over these article vectors (unit rows, e.g. from `article_vectors`);
    `texts`, one per row (title and body), adds the words each article names."""
    vectors = l2_normalise(np.asarray(vectors, dtype=np.float32))
    count = len(vectors)
    if texts is not None and len(texts) != count:
        raise ValueError("one text per background article vector")
    words = index_words(texts) if texts is not None else None
    k = max(1, min(neighbours, count - 1))
    key = background_key(vectors, k, words)
    if count < 2:
        empty = sp.csr_array((count, count), dtype=np.float32)
        nothing = np.zeros(0, dtype=np.float32)  # no neighbours: no article is inside
        return Background(vectors, empty, empty, k, key, nothing, words)
    columns, sims = nearest(vectors, vectors, k, exclude_self=True)
    rows = np.repeat(np.arange(count), k)
    weights = np.maximum(sims.ravel(), 0.0) + 1e-6  # a zero weight would drop the edge
    adjacency = sp.csr_array((weights, (rows, columns.ravel())), shape=(count, count))
    adjacency = (adjacency + adjacency.T).tocsr()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    graph = (sp.diags_array(1.0 / np.maximum(degree, 1e-12)) @ adjacency).tocsr()
    averaging = sp.csr_array(
        (np.full(rows.size, 1.0 / k, dtype=np.float32), (rows, columns.ravel())),
        shape=(count, count),
    )
    return Background(
        vectors,
        graph.astype(np.float32),
        averaging,
        k,
        key,
        sims.mean(axis=1).astype(np.float32),
        words,
    )


def background_key(
    vectors: FloatMatrix, neighbours: int, words: BackgroundWords | None = None
) -> str:
    """What a background is built from (the graph follows from these): its identity."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{vectors.shape}/{vectors.dtype}/{neighbours}".encode())
    digest.update(np.ascontiguousarray(vectors).tobytes())
    if words is not None:
        digest.update(f"/words {words.digest}".encode())
    return digest.hexdigest()


def neighbour_average(query_vectors: FloatMatrix, background: Background) -> sp.csr_array:
    """(A, B) sparse: each query row averages its `neighbours` nearest background articles."""
    return neighbourhood(query_vectors, background)[0]


def neighbourhood(
    query_vectors: FloatMatrix, background: Background
) -> tuple[sp.csr_array, FloatMatrix]:
    """`neighbour_average`, and each query's mean cosine to those neighbours (A,): compared
    with `Background.inside_cut`, whether the corpus covers the query at all.

    A query that is itself in the background (a new article is among the newest, of which
    the background is made) is not its own neighbour, as no background article is: it would
    vouch for itself, with a cosine of 1.
    """
    count = len(query_vectors)
    k = min(background.neighbours, len(background) - 1)
    if count == 0 or k <= 0:
        empty = sp.csr_array((count, len(background)), dtype=np.float32)
        return empty, np.full(count, -np.inf, dtype=np.float32)
    columns, sims = nearest(query_vectors, background.vectors, k + 1, exclude_self=False)
    order = np.argsort(-sims, axis=1, kind="stable")
    columns = np.take_along_axis(columns, order, axis=1)
    sims = np.take_along_axis(sims, order, axis=1)
    itself = sims[:, 0] >= SAME_ARTICLE_COSINE
    columns = np.where(itself[:, None], columns[:, 1:], columns[:, :k])
    sims = np.where(itself[:, None], sims[:, 1:], sims[:, :k])
    rows = np.repeat(np.arange(count), k)
    values = np.full(rows.size, 1.0 / k, dtype=np.float32)
    averaging = sp.csr_array((values, (rows, columns.ravel())), shape=(count, len(background)))
    return averaging, sims.mean(axis=1).astype(np.float32)


def nearest(
    queries: FloatMatrix, items: FloatMatrix, k: int, *, exclude_self: bool
) -> tuple[IdArray, FloatMatrix]:
    """Column indices and cosines of each query's k most similar items, in blocks of rows.

    `exclude_self` (queries are the items themselves) skips each row's own column.
    """
    out_columns = np.zeros((len(queries), k), dtype=np.int64)
    out_sims = np.zeros((len(queries), k), dtype=np.float32)
    block = max(1, _BLOCK_CELLS // max(1, len(items)))
    for start in range(0, len(queries), block):
        sims = queries[start : start + block] @ items.T
        if exclude_self:
            rows = np.arange(sims.shape[0])
            sims[rows, rows + start] = -np.inf
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        out_columns[start : start + block] = top
        out_sims[start : start + block] = np.take_along_axis(sims, top, axis=1)
    return out_columns, out_sims
