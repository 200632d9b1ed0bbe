"""Building and reading the two FAISS index kinds the vector index uses.

- "flat": `IndexIDMap2` over `IndexFlatIP`. Exact; add, remove and id lookups supported.
- "ivf": `IndexIVFFlat` with inner product over a flat coarse quantizer, ids stored in the
  inverted lists themselves. Approximate; removes ids natively (see `index/vectors.py`).

Pure helpers over FAISS objects; the class holding the index lives in `index/vectors.py`.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

from index.protocols import FloatMatrix, IdArray

FLAT = "flat"
IVF = "ivf"
# k-means wants ~39+ points per centroid; we train on up to this many per list.
_MIN_POINTS_PER_LIST = 39
_TRAIN_POINTS_PER_LIST = 64


def new_flat(dimension: int) -> faiss.IndexIDMap2:
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))


def ivf_nlist(count: int) -> int:
    """About 4·sqrt(n) lists, but never so many that k-means lacks training points."""
    return max(1, min(round(4 * math.sqrt(count)), count // _MIN_POINTS_PER_LIST))


def ivf_default_nprobe(nlist: int) -> int:
    """Lists scanned per query: 1/16 of them (at least 8) kept recall@10 >= 0.95 in tests."""
    return min(nlist, max(8, nlist // 16))


def new_ivf(vectors: FloatMatrix, *, nlist: int, seed: int = 0) -> faiss.IndexIVFFlat:
    """An empty IVF-Flat index trained on (a random sample of) `vectors`."""
    dimension = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIVFFlat(quantizer, dimension, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    sample_size = min(len(vectors), _TRAIN_POINTS_PER_LIST * nlist)
    if sample_size < len(vectors):
        rows = np.random.default_rng(seed).choice(len(vectors), sample_size, replace=False)
        sample = vectors[np.sort(rows)]
    else:
        sample = vectors
    index.train(np.ascontiguousarray(sample))
    return index


def flat_storage(index: faiss.IndexIDMap2) -> tuple[IdArray, FloatMatrix]:
    """(ids by position, vectors by position) as views valid until the next add/remove."""
    flat = faiss.downcast_index(index.index)
    count, dimension = index.ntotal, index.d
    ids = faiss.vector_to_array(index.id_map)
    if count == 0:
        return ids, np.empty((0, dimension), dtype=np.float32)
    vectors = faiss.rev_swig_ptr(flat.get_xb(), count * dimension).reshape(count, dimension)
    return ids, vectors


def ivf_storage(index: faiss.IndexIVFFlat, *, with_vectors: bool) -> tuple[IdArray, FloatMatrix]:
    """Copies of all (ids, vectors) held in the inverted lists, in list order."""
    invlists = index.invlists
    dimension = index.d
    id_parts: list[IdArray] = []
    vector_parts: list[FloatMatrix] = []
    for list_no in range(index.nlist):
        size = invlists.list_size(list_no)
        if size == 0:
            continue
        id_parts.append(faiss.rev_swig_ptr(invlists.get_ids(list_no), size).copy())
        if with_vectors:
            raw = faiss.rev_swig_ptr(invlists.get_codes(list_no), size * index.code_size)
            vector_parts.append(raw.view(np.float32).reshape(size, dimension).copy())
    ids = np.concatenate(id_parts) if id_parts else np.empty(0, dtype=np.int64)
    if not with_vectors:
        return ids, np.empty((0, dimension), dtype=np.float32)
    vectors = np.concatenate(vector_parts) if vector_parts else np.empty((0, dimension), np.float32)
    return ids, vectors


def ivf_select(index: faiss.IndexIVFFlat, wanted: IdArray) -> tuple[IdArray, FloatMatrix]:
    """Copies of the (ids, vectors) of `wanted` (sorted) held in the lists; others skipped.

    Scans the id lists but copies only matching rows, so memory stays proportional to
    `wanted`, not to the index.
    """
    invlists = index.invlists
    dimension = index.d
    id_parts: list[IdArray] = []
    vector_parts: list[FloatMatrix] = []
    for list_no in range(index.nlist):
        size = invlists.list_size(list_no)
        if size == 0:
            continue
        ids = faiss.rev_swig_ptr(invlists.get_ids(list_no), size)
        hit = np.isin(ids, wanted, assume_unique=True)
        if not hit.any():
            continue
        raw = faiss.rev_swig_ptr(invlists.get_codes(list_no), size * index.code_size)
        id_parts.append(ids[hit].copy())
        vector_parts.append(raw.view(np.float32).reshape(size, dimension)[hit].copy())
    if not id_parts:
        return np.empty(0, dtype=np.int64), np.empty((0, dimension), dtype=np.float32)
    return np.concatenate(id_parts), np.concatenate(vector_parts)


def top_k_exact(
    queries: FloatMatrix, candidates: FloatMatrix, candidate_ids: IdArray, k: int
) -> tuple[FloatMatrix, IdArray]:
    """Exact top-k by inner product over a small candidate set, padded with (-inf, -1)."""
    count = len(candidate_ids)
    scores_out = np.full((len(queries), k), -np.inf, dtype=np.float32)
    ids_out = np.full((len(queries), k), -1, dtype=np.int64)
    if count == 0:
        return scores_out, ids_out
    scores = queries @ candidates.T  # (nq, count)
    take = min(k, count)
    if take < count:
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    else:
        part = np.broadcast_to(np.arange(count), (len(queries), count))
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    scores_out[:, :take] = np.take_along_axis(scores, best, axis=1)
    ids_out[:, :take] = candidate_ids[best]
    return scores_out, ids_out


def check_batch(ids: IdArray, vectors: FloatMatrix, dimension: int) -> tuple[IdArray, FloatMatrix]:
    ids = np.ascontiguousarray(np.asarray(ids).ravel(), dtype=np.int64)
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim != 2 or vectors.shape[1] != dimension:
        raise ValueError(f"vectors must have shape (n, {dimension}), got {vectors.shape}")
    if len(ids) != len(vectors):
        raise ValueError(f"{len(ids)} ids for {len(vectors)} vectors")
    if len(ids) and ids.min() < 0:
        raise ValueError("ids must be non-negative (-1 marks a missing result)")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("ids in one batch must be distinct")
    return ids, normalised(vectors)


def normalised(vectors: FloatMatrix) -> FloatMatrix:
    """Unit rows (zero rows stay zero) so inner product is cosine whatever the caller sent."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1), dtype=np.float32)


def pad_missing(scores: FloatMatrix, ids: IdArray) -> tuple[FloatMatrix, IdArray]:
    """FAISS marks missing slots with id -1 and a huge negative score: make it -inf."""
    scores = np.where(ids < 0, np.float32(-np.inf), scores).astype(np.float32, copy=False)
    return scores, ids.astype(np.int64, copy=False)
