"""Upkeep of the BM25 main matrix (`index/keyword.py`): tombstones and the merge.

Pure functions on the CSC matrix (documents x terms): the term columns a removed row takes
off the document frequencies, and the rebuilt main matrix of live rows with the pending
segment merged in.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from index.protocols import IdArray


def posting_columns(matrix: sp.csc_array, rows: np.ndarray, n_rows: int) -> np.ndarray:
    """The term column of every stored entry in `rows` (one per document and term): what
    tombstoning those rows takes off the document frequencies."""
    dead = np.zeros(n_rows, dtype=bool)
    dead[rows] = True
    hit = np.flatnonzero(dead[matrix.indices])
    # Stored entry e belongs to column j for indptr[j] <= e < indptr[j + 1].
    return np.searchsorted(matrix.indptr, hit, side="right") - 1


def merged_main(
    main: sp.csc_array,
    main_ids: IdArray,
    main_len: np.ndarray,
    keep: np.ndarray,
    pending: tuple[sp.csc_array, IdArray, np.ndarray],
    width: int,
) -> tuple[sp.csc_array, IdArray, np.ndarray]:
    """(matrix, ids, lengths) of the live main rows `keep` followed by the pending ones."""
    kept = sp.csc_array(main[keep] if len(keep) < len(main_ids) else main)
    kept.resize((len(keep), width))  # terms first seen in pending documents
    delta, delta_ids, delta_len = pending
    merged = sp.vstack([kept, delta], format="csc", dtype=np.float32)
    ids = np.concatenate([main_ids[keep], delta_ids])
    lengths = np.concatenate([main_len[keep], delta_len])
    return merged, ids, lengths
