"""Every candidate of either retriever scored by both (pure over the index protocols).

Dense and BM25 each return their own top N. A candidate only one of them found is scored
by the other too, with a search restricted to exactly those ids (exact and cheap on the
flat index), so score fusion compares like with like.
"""

from __future__ import annotations

import numpy as np

from index.protocols import FloatMatrix, IdArray, KeywordIndex, VectorIndex
from retrieval.fusion import convex_fusion


def score_with_both(
    vectors: VectorIndex,
    keywords: KeywordIndex,
    text: str,
    query_vector: FloatMatrix,
    dense: tuple[FloatMatrix, IdArray],
    keyword: tuple[FloatMatrix, IdArray],
    *,
    dense_share: float,
) -> tuple[IdArray, np.ndarray]:
    """Union of both candidate lists (dense first), each candidate's fused score."""
    dense_scores, dense_ids = dense
    keyword_scores, keyword_ids = keyword
    dense_of = {int(d): float(s) for d, s in zip(dense_ids, dense_scores, strict=True) if d >= 0}
    keyword_of = {
        int(d): float(s)
        for d, s in zip(np.ravel(keyword_ids), np.ravel(keyword_scores), strict=True)
        if d >= 0
    }
    ids = np.asarray(list(dict.fromkeys([*dense_of, *keyword_of])), dtype=np.int64)
    only_keyword = np.asarray([d for d in keyword_of if d not in dense_of], dtype=np.int64)
    if only_keyword.size:
        scores, found = vectors.search(query_vector[None, :], len(only_keyword), only_keyword)
        dense_of.update(
            (int(d), float(s)) for d, s in zip(found[0], scores[0], strict=True) if d >= 0
        )
    only_dense = np.asarray([d for d in dense_of if d not in keyword_of], dtype=np.int64)
    if only_dense.size:
        scores, found = keywords.search(text, len(only_dense), only_dense)
        keyword_of.update((int(d), float(s)) for d, s in zip(found, scores, strict=True) if d >= 0)
    fused = convex_fusion(
        np.asarray([dense_of.get(int(d), 0.0) for d in ids], dtype=np.float64),
        np.asarray([keyword_of.get(int(d), 0.0) for d in ids], dtype=np.float64),
        dense_share=dense_share,
    )
    return ids, fused
