"""Okapi BM25 arithmetic over term-major (CSC) matrices of raw term frequencies.

Scores use Lucene's always-positive idf, log(1 + (N - df + 0.5)/(df + 0.5)), and the
length normalisation k1·(1 - b + b·len/avgdl), all in float32. N, df and avgdl are the live
counts `index/keyword.py` passes in at query time, so scores are exact after every add and
remove. Each term reads only its own column's postings.

Scoring every row (`score_all`) and scoring a few chosen rows (`score_rows`) do the same
arithmetic term by term, so a document gets the very same float32 score either way;
`top_k` ranks the scored documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from index.protocols import FloatMatrix, IdArray


@dataclass(frozen=True)
class Bm25Stats:
    """What every score of one query reads besides a document's own postings."""

    k1: float
    b: float
    live: int  # live documents
    avgdl: float  # their mean length in terms
    df: np.ndarray  # live documents per term column

    def idf(self, col: int) -> np.float32:
        df = self.df[col]
        return np.float32(np.log1p((self.live - df + 0.5) / (df + 0.5)))

    def norms(self, lengths: np.ndarray) -> np.ndarray:
        """Length normalisation k1·(1 - b + b·len/avgdl) of documents of these lengths."""
        return self.k1 * (1 - self.b + self.b * lengths / self.avgdl)


def score_all(
    cols: Sequence[int],
    stats: Bm25Stats,
    *,
    main: sp.csc_array,
    main_norms: np.ndarray,
    delta: sp.csc_array,
    delta_len: np.ndarray,
) -> np.ndarray:
    """BM25 of every row of `main` (its normalisations given), then of every row of
    `delta` (normalised per posting), for these term columns."""
    k1 = stats.k1
    offset = len(main_norms)
    scores = np.zeros(offset + len(delta_len), dtype=np.float32)
    for col in cols:
        idf = stats.idf(col)
        if col < main.shape[1]:
            start, end = main.indptr[col], main.indptr[col + 1]
            rows = main.indices[start:end]
            tf = main.data[start:end]
            scores[rows] += idf * tf * (k1 + 1) / (tf + main_norms[rows])
        if col < delta.shape[1]:
            start, end = delta.indptr[col], delta.indptr[col + 1]
            rows = delta.indices[start:end]
            tf = delta.data[start:end]
            norm = stats.norms(delta_len[rows])
            scores[offset + rows] += idf * tf * (k1 + 1) / (tf + norm)
    return scores


def score_rows(
    cols: Sequence[int],
    stats: Bm25Stats,
    parts: Sequence[tuple[sp.csc_array, np.ndarray, IdArray]],
) -> list[np.ndarray]:
    """BM25 of chosen rows, per (matrix, lengths, sorted rows) part, with `score_all`'s
    arithmetic; reads only those rows' postings (each column's rows must be sorted)."""
    k1 = stats.k1
    scored = [np.zeros(len(rows), dtype=np.float32) for _, _, rows in parts]
    for col in cols:
        idf = stats.idf(col)
        for (matrix, lengths, rows), scores in zip(parts, scored, strict=True):
            if col >= matrix.shape[1] or len(rows) == 0:
                continue
            start, end = matrix.indptr[col], matrix.indptr[col + 1]
            if end == start:
                continue
            posting_rows = matrix.indices[start:end]  # sorted (`sort_indices`)
            at = np.minimum(np.searchsorted(posting_rows, rows), end - start - 1)
            hit = np.flatnonzero(posting_rows[at] == rows)
            if len(hit) == 0:
                continue
            tf = matrix.data[start:end][at[hit]]
            norm = stats.norms(lengths[rows[hit]])
            scores[hit] += idf * tf * (k1 + 1) / (tf + norm)
    return scored


def no_results(k: int) -> tuple[FloatMatrix, IdArray]:
    """k empty result slots: (-inf, -1)."""
    return np.full(k, -np.inf, dtype=np.float32), np.full(k, -1, dtype=np.int64)


def top_k(
    scores: np.ndarray, row_ids: IdArray, candidates: IdArray, k: int
) -> tuple[FloatMatrix, IdArray]:
    """The k best `candidates` (positions in `scores` and `row_ids`) as (scores, ids) of
    shape (k,), missing slots (-inf, -1)."""
    scores_out, ids_out = no_results(k)
    if len(candidates) > k:  # keep everything tied with the k-th score, then cut
        kth = -np.partition(-scores[candidates], k - 1)[k - 1]
        candidates = candidates[scores[candidates] >= kth]
    # Best first; equal scores by ascending id, so results are reproducible.
    order = np.lexsort((row_ids[candidates], -scores[candidates]))
    best = candidates[order][:k]
    scores_out[: len(best)] = scores[best]
    ids_out[: len(best)] = row_ids[best]
    return scores_out, ids_out
