"""Filtered search on a real FAISS IVF index: exact scoring of small allowed sets, the
selector route with widened nprobe, the id map across updates and persistence."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import pytest

from index.faiss_filtered import DIRECT, SELECTOR, filtered_route, id_selector, widened_nprobe
from index.faiss_kinds import FLAT, IVF
from index.vector_files import VECTORS_FILE
from index.vectors import FaissVectorIndex

DIM = 32
MODEL = "test-model"
COUNT = 4000


def clustered(rng: np.random.Generator, count: int, *, centres: int = 40) -> np.ndarray:
    middle = rng.standard_normal((centres, DIM)).astype(np.float32)
    points = middle[rng.integers(0, centres, count)] + 0.35 * rng.standard_normal((count, DIM))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def exact(
    vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, allowed: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force top-k among the allowed ids: (ids, scores)."""
    keep = np.isin(ids, allowed)
    scores = vectors[keep] @ query
    order = np.argsort(-scores, kind="stable")[:k]
    return ids[keep][order], scores[order]


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    ids = np.arange(COUNT, dtype=np.int64) * 3 + 5  # not 0..n-1, not dense
    return ids, clustered(rng, COUNT), clustered(rng, 60)


@pytest.fixture
def ivf(data) -> FaissVectorIndex:
    ids, vectors, _ = data
    index = FaissVectorIndex.build(ids, vectors, approximate_threshold=1)
    assert index.kind == IVF
    return index


@pytest.mark.parametrize("size", [1, 7, 100, 1000])
def test_small_allowed_sets_are_scored_exactly(ivf, data, size: int) -> None:
    ids, vectors, queries = data
    rng = np.random.default_rng(size)
    for query in queries[:20]:
        allowed = rng.choice(ids, size, replace=False)
        assert filtered_route(IVF, len(allowed), len(ivf)) == DIRECT
        scores, found = ivf.search(query, 10, allowed_ids=allowed)
        want_ids, want_scores = exact(vectors, ids, query, allowed, 10)
        taken = min(10, size)
        assert found[0, :taken].tolist() == want_ids.tolist()
        np.testing.assert_allclose(scores[0, :taken], want_scores, rtol=1e-5, atol=1e-6)
        assert (found[0, taken:] == -1).all()
        assert np.isneginf(scores[0, taken:]).all()


def test_direct_route_finds_what_unfiltered_ivf_misses(ivf, data) -> None:
    """With nprobe 1 an unfiltered search misses neighbours in other lists; restricting it
    to their ids still returns all of them (they are scored directly)."""
    ids, vectors, queries = data
    ivf.nprobe = 1
    missed = 0
    for query in queries:
        truth, _ = exact(vectors, ids, query, ids, 10)
        _, unfiltered = ivf.search(query, 10)
        missed += len(set(truth.tolist()) - set(unfiltered[0].tolist()))
        _, restricted = ivf.search(query, 10, allowed_ids=truth[::-1])
        assert sorted(restricted[0].tolist()) == sorted(truth.tolist())
    assert missed > 0  # the test data is hard enough for one list


def test_large_allowed_sets_use_the_selector_with_good_recall(ivf, data) -> None:
    ids, vectors, queries = data
    allowed = ids[: len(ids) // 2]  # over 1,000 ids: the selector route
    assert filtered_route(IVF, len(allowed), len(ivf)) == SELECTOR
    hits = 0
    for query in queries:
        _, found = ivf.search(query, 10, allowed_ids=allowed)
        assert set(found[0][found[0] >= 0].tolist()) <= set(allowed.tolist())
        truth, _ = exact(vectors, ids, query, allowed, 10)
        hits += len(set(truth.tolist()) & set(found[0].tolist()))
    assert hits / (10 * len(queries)) >= 0.95


def test_unknown_and_removed_ids_are_left_out(ivf, data) -> None:
    ids, vectors, queries = data
    gone = ids[:5]
    assert ivf.remove(gone) == 5
    allowed = np.concatenate([gone, ids[5:40], np.array([2, 4, 10**9], dtype=np.int64)])
    scores, found = ivf.search(queries[0], 50, allowed_ids=allowed)
    want_ids, _ = exact(vectors, ids, queries[0], ids[5:40], 50)
    assert found[0, :35].tolist() == want_ids.tolist()
    assert (found[0, 35:] == -1).all()
    assert np.isneginf(scores[0, 35:]).all()
    held, rows = ivf.vectors_of(allowed)
    assert held.tolist() == ids[5:40].tolist()
    np.testing.assert_allclose(rows, vectors[5:40], rtol=1e-6, atol=1e-6)


def test_id_map_follows_updates(ivf, data) -> None:
    ids, vectors, queries = data
    target = ids[100:103]
    ivf.add(target, queries[:3])  # replaced: the old vectors must be gone
    assert len(ivf) == COUNT
    for row, query in enumerate(queries[:3]):
        scores, found = ivf.search(query, 1, allowed_ids=ids[90:110])
        assert found[0, 0] == target[row]
        assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    _, rows = ivf.vectors_of(target)
    np.testing.assert_allclose(rows, queries[:3], rtol=1e-5, atol=1e-6)
    fresh = np.array([10**6, 10**6 + 1], dtype=np.int64)
    ivf.add(fresh, vectors[:2])
    assert ivf.vectors_of(fresh)[0].tolist() == fresh.tolist()
    assert ivf.remove(np.concatenate([fresh, fresh])) == 2
    assert ivf.vectors_of(fresh)[0].size == 0


def test_snapshot_without_id_map_gets_one_on_load(tmp_path: Path, ivf, data) -> None:
    ids, vectors, queries = data
    ivf.save_to(tmp_path, model_name=MODEL)
    raw = faiss.read_index(str(tmp_path / VECTORS_FILE))
    assert raw.direct_map.type == faiss.DirectMap.Hashtable  # saved with the index
    raw.set_direct_map_type(faiss.DirectMap.NoMap)  # as written before the id map existed
    faiss.write_index(raw, str(tmp_path / VECTORS_FILE))
    loaded = FaissVectorIndex.load_from(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    held, rows = loaded.vectors_of(ids[:3])
    assert held.tolist() == ids[:3].tolist()
    np.testing.assert_allclose(rows, vectors[:3], rtol=1e-6, atol=1e-6)
    assert loaded.remove(ids[:3]) == 3
    _, found = loaded.search(queries[0], 5, allowed_ids=ids[:10])
    assert found[0].tolist() == exact(vectors, ids, queries[0], ids[3:10], 5)[0].tolist()


@pytest.mark.parametrize("dense", [True, False], ids=["bitmap", "hash-set"])
def test_flat_selector_route_matches_brute_force(data, dense: bool) -> None:
    ids, vectors, queries = data
    sparse_ids = ids if dense else ids * 1_000_003  # far above 64 bits per allowed id
    flat = FaissVectorIndex.build(sparse_ids, vectors)
    assert flat.kind == FLAT
    allowed = sparse_ids[::2]  # half: over the flat direct share, so the selector route
    assert filtered_route(FLAT, len(allowed), len(flat)) == SELECTOR
    selector = id_selector(allowed)
    assert isinstance(selector, faiss.IDSelectorBitmap if dense else faiss.IDSelectorBatch)
    for query in queries[:10]:
        _, found = flat.search(query, 10, allowed_ids=allowed)
        want_ids, _ = exact(vectors, sparse_ids, query, allowed, 10)
        assert found[0].tolist() == want_ids.tolist()


def test_route_and_widening_rules() -> None:
    assert filtered_route(IVF, 1000, 10_000) == DIRECT  # the minimum count
    assert filtered_route(IVF, 1001, 10_000) == SELECTOR
    assert filtered_route(IVF, 10_000, 1_000_000) == DIRECT  # 1 % of the index
    assert filtered_route(IVF, 10_001, 1_000_000) == SELECTOR
    assert filtered_route(FLAT, 100, 1000) == DIRECT  # 10 % of the index
    assert filtered_route(FLAT, 101, 1000) == SELECTOR
    assert widened_nprobe(250, 4000, 1_000_000, 1_000_000) == 250
    assert widened_nprobe(250, 4000, 250_000, 1_000_000) == 500  # 250 / sqrt(1/4)
    assert widened_nprobe(250, 4000, 100, 1_000_000) == 4000  # never past nlist
    assert widened_nprobe(8, 100, 0, 10) == 100
