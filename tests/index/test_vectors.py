"""FaissVectorIndex on real FAISS: flat and IVF kinds, filters, persistence, crash safety."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import index.snapshot as snapshot
from index.errors import IndexMismatchError
from index.manifest import MANIFEST_NAME, read_manifest
from index.vector_files import VECTORS_FILE
from index.vectors import FaissVectorIndex

DIM = 16
MODEL = "test-model"


def unit_rows(rng: np.random.Generator, count: int, dim: int = DIM) -> np.ndarray:
    rows = rng.standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def clustered(
    rng: np.random.Generator, centres: np.ndarray, count: int, noise: float
) -> np.ndarray:
    """Points = a random centre + gaussian noise, normalised (structure like real topics)."""
    labels = rng.integers(0, len(centres), count)
    points = centres[labels] + noise * rng.standard_normal((count, centres.shape[1]))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def brute_force(vectors: np.ndarray, ids: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    scores = vectors @ query
    return [int(i) for i in ids[np.argsort(-scores, kind="stable")[:k]]]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


@pytest.fixture
def filled(rng: np.random.Generator) -> tuple[FaissVectorIndex, np.ndarray, np.ndarray]:
    ids = np.arange(100, 400, 3, dtype=np.int64)  # 100 ids, not 0..n-1
    vectors = unit_rows(rng, len(ids))
    index = FaissVectorIndex(DIM)
    index.add(ids, vectors)
    return index, ids, vectors


def test_add_search_returns_exact_neighbours(filled) -> None:
    index, ids, vectors = filled
    scores, found = index.search(vectors[:5], 4)
    assert found.shape == (5, 4)
    assert scores.dtype == np.float32
    assert found.dtype == np.int64
    for row in range(5):
        assert found[row].tolist() == brute_force(vectors, ids, vectors[row], 4)
        assert scores[row, 0] == pytest.approx(1.0, abs=1e-5)


def test_single_query_vector_and_padding(filled) -> None:
    index, ids, vectors = filled
    scores, found = index.search(vectors[3], 150)
    assert found.shape == (1, 150)
    assert set(found[0, :100].tolist()) == set(ids.tolist())
    assert (found[0, 100:] == -1).all()
    assert np.isneginf(scores[0, 100:]).all()


def test_empty_index_search() -> None:
    scores, found = FaissVectorIndex(DIM).search(np.ones((2, DIM), np.float32), 3)
    assert (found == -1).all()
    assert np.isneginf(scores).all()


def test_remove_and_ids(filled) -> None:
    index, ids, vectors = filled
    assert index.remove(np.array([ids[0], ids[1], 999_999])) == 2
    assert len(index) == 98
    assert index.ids().tolist() == sorted(ids[2:].tolist())
    _, found = index.search(vectors[0], 5)
    assert ids[0] not in found


def test_add_existing_id_replaces_vector(filled, rng) -> None:
    index, ids, _ = filled
    replacement = unit_rows(rng, 1)
    index.add(ids[:1], replacement)
    assert len(index) == len(ids)
    scores, found = index.search(replacement[0], 1)
    assert found[0, 0] == ids[0]
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)


def test_vectors_are_normalised_on_add(rng) -> None:
    index = FaissVectorIndex(DIM)
    raw = unit_rows(rng, 3) * 5.0
    index.add(np.array([1, 2, 3]), raw)
    scores, _ = index.search(raw[0] * 2.0, 1)
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(
    ("ids", "vectors", "message"),
    [
        (np.array([1, 1]), np.ones((2, DIM)), "distinct"),
        (np.array([-5]), np.ones((1, DIM)), "non-negative"),
        (np.array([1, 2]), np.ones((1, DIM)), "ids for"),
        (np.array([1]), np.ones((1, DIM + 1)), "shape"),
    ],
)
def test_add_rejects_bad_batches(ids, vectors, message) -> None:
    with pytest.raises(ValueError, match=message):
        FaissVectorIndex(DIM).add(ids, vectors)


@pytest.mark.parametrize("allowed_count", [3, 60])  # direct numpy path, then IDSelector path
def test_allowed_ids_restrict_results(filled, allowed_count) -> None:
    index, ids, vectors = filled
    allowed = ids[::-1][:allowed_count]
    query = vectors[0]  # its own id is not allowed (when allowed_count < 100)
    scores, found = index.search(query, 5, allowed_ids=np.append(allowed, 123_456))
    take = min(5, allowed_count)
    mask = np.isin(ids, allowed)
    assert found[0, :take].tolist() == brute_force(vectors[mask], ids[mask], query, take)
    assert set(found[0, :take].tolist()) <= set(allowed.tolist())
    assert (found[0, take:] == -1).all()
    assert np.all(np.diff(scores[0, :take]) <= 0)


def test_empty_allowed_ids_give_nothing(filled) -> None:
    index, _, vectors = filled
    _, found = index.search(vectors[:2], 3, allowed_ids=np.array([], dtype=np.int64))
    assert (found == -1).all()


def test_direct_filter_cache_follows_removals(filled) -> None:
    index, ids, vectors = filled
    allowed = ids[:4]
    index.search(vectors[0], 2, allowed_ids=allowed)  # fills the id->row cache
    index.remove(ids[:1])
    _, found = index.search(vectors[0], 4, allowed_ids=allowed)
    assert sorted(found[0, :3].tolist()) == sorted(ids[1:4].tolist())
    assert found[0, 3] == -1


def test_save_load_roundtrip(tmp_path: Path, filled) -> None:
    index, ids, vectors = filled
    index.save(tmp_path / "idx", model_name=MODEL)
    loaded = FaissVectorIndex.load(tmp_path / "idx", expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    assert loaded.kind == "flat"
    assert loaded.ids().tolist() == sorted(ids.tolist())
    np.testing.assert_array_equal(loaded.search(vectors[:3], 5)[1], index.search(vectors[:3], 5)[1])
    manifest = read_manifest(tmp_path / "idx")
    assert manifest is not None
    assert (manifest.model_name, manifest.dimension, manifest.count, manifest.kind) == (
        MODEL,
        DIM,
        len(ids),
        "flat",
    )
    assert manifest.format_version == 1
    assert "T" in manifest.built_at


def test_load_missing_directory_is_none(tmp_path: Path) -> None:
    assert (
        FaissVectorIndex.load(tmp_path / "nope", expected_model=MODEL, expected_dimension=DIM)
        is None
    )
    assert read_manifest(tmp_path / "nope") is None


@pytest.mark.parametrize(("model", "dim"), [("other-model", DIM), (MODEL, DIM * 2)])
def test_mismatch_is_refused(tmp_path: Path, filled, model: str, dim: int) -> None:
    index, _, _ = filled
    index.save(tmp_path, model_name=MODEL)
    with pytest.raises(IndexMismatchError, match=r"newsbot reindex --full") as caught:
        FaissVectorIndex.load(tmp_path, expected_model=model, expected_dimension=dim)
    assert "reindex --full" in caught.value.user_message


def test_crash_before_pointer_swap_keeps_old_index(tmp_path: Path, filled, monkeypatch) -> None:
    index, ids, _ = filled
    index.save(tmp_path, model_name=MODEL)
    index.remove(ids[:10])

    def crash(directory: Path, name: str) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(snapshot, "_commit_pointer", crash)
    with pytest.raises(OSError, match="power cut"):
        index.save(tmp_path, model_name=MODEL)
    # The new version is complete on disk, but CURRENT still names the old one.
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("v-")]) == 2
    loaded = FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    assert len(loaded) == len(ids)

    monkeypatch.undo()
    index.save(tmp_path, model_name=MODEL)  # next save commits and clears the orphan
    loaded = FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    assert len(loaded) == len(ids) - 10
    versions = [p for p in tmp_path.iterdir() if p.name.startswith("v-")]
    assert len(versions) == 2  # the new one and the previous one, not the orphan


def test_crash_while_writing_leaves_no_visible_trace(tmp_path: Path, filled, monkeypatch) -> None:
    index, ids, _ = filled
    index.save(tmp_path, model_name=MODEL)

    def broken_manifest(folder: Path, manifest) -> None:
        (folder / MANIFEST_NAME).write_text("{half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr("index.vectors.write_manifest", broken_manifest)
    with pytest.raises(OSError, match="disk full"):
        index.save(tmp_path, model_name=MODEL)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    loaded = FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    assert len(loaded) == len(ids)


def test_leftovers_of_a_killed_writer_are_ignored_then_cleared(tmp_path: Path, filled) -> None:
    index, ids, _ = filled
    index.save(tmp_path, model_name=MODEL)
    first = snapshot.current_version(tmp_path)
    (tmp_path / ".tmp-0badc0ffee00").mkdir()  # a writer killed mid-way
    (tmp_path / ".tmp-0badc0ffee00" / VECTORS_FILE).write_bytes(b"half")
    (tmp_path / ".tmp-CURRENT-dead").write_text("v-x-00\n", encoding="utf-8")
    loaded = FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    assert len(loaded) == len(ids)
    index.save(tmp_path, model_name=MODEL)
    index.save(tmp_path, model_name=MODEL)
    names = {p.name for p in tmp_path.iterdir()}
    assert not {n for n in names if n.startswith(".tmp-")}
    assert first not in names  # two saves later, the first snapshot is gone
    assert len({n for n in names if n.startswith("v-")}) == 2


def test_damaged_snapshots_are_reported(tmp_path: Path, filled) -> None:
    index, _, _ = filled
    index.save(tmp_path, model_name=MODEL)
    live = snapshot.current_snapshot(tmp_path)
    assert live is not None
    (live / VECTORS_FILE).write_bytes(b"not a faiss file")
    with pytest.raises(IndexMismatchError, match="damaged"):
        FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    (tmp_path / "CURRENT").write_text("../../etc\n", encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="damaged"):
        FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    index.save(tmp_path, model_name=MODEL)  # a full re-index can overwrite the damage
    assert FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)


def test_manifest_written_as_json(tmp_path: Path, filled) -> None:
    index, _, _ = filled
    manifest = index.save_to(tmp_path, model_name=MODEL)
    raw = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert raw["model_name"] == MODEL
    assert raw["count"] == manifest.count == len(index)
    assert FaissVectorIndex.load_from(tmp_path, expected_model=MODEL, expected_dimension=DIM)


def test_build_chooses_kind_by_size(rng) -> None:
    ids = np.arange(2000, dtype=np.int64)
    vectors = unit_rows(rng, 2000)
    assert FaissVectorIndex.build(ids, vectors).kind == "flat"
    approximate = FaissVectorIndex.build(ids, vectors, approximate_threshold=1000)
    assert approximate.kind == "ivf"
    assert len(approximate) == 2000
    assert approximate.needs_rebuild(approximate_threshold=5000)  # now small enough for flat
    assert not approximate.needs_rebuild(approximate_threshold=1000)
    assert FaissVectorIndex.build(ids, vectors).needs_rebuild(approximate_threshold=1000)


def test_ivf_supports_remove_update_filter_and_persistence(tmp_path: Path, rng) -> None:
    centres = unit_rows(rng, 20)
    vectors = clustered(rng, centres, 3000, noise=0.05)
    ids = np.arange(10, 3010, dtype=np.int64)
    index = FaissVectorIndex.build(ids, vectors, approximate_threshold=1000)
    assert index.kind == "ivf"
    assert index.remove(ids[:100]) == 100
    assert len(index) == 2900
    fresh = clustered(rng, centres, 5, noise=0.05)
    index.add(ids[100:105], fresh)  # update: replaces, does not duplicate
    assert len(index) == 2900
    _, found = index.search(fresh, 1)
    assert found[:, 0].tolist() == ids[100:105].tolist()
    allowed = ids[2000:2003]
    _, found = index.search(vectors[0], 5, allowed_ids=allowed)
    assert sorted(found[0, :3].tolist()) == sorted(allowed.tolist())  # widened nprobe finds all
    exported_ids, exported = index.export()
    assert exported_ids.tolist() == index.ids().tolist()
    assert exported.shape == (2900, DIM)

    index.save(tmp_path, model_name=MODEL)
    loaded = FaissVectorIndex.load(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    assert loaded.kind == "ivf"
    assert loaded.nprobe == index.nprobe
    np.testing.assert_array_equal(loaded.search(fresh, 3)[1], index.search(fresh, 3)[1])


def test_ivf_recall_against_flat() -> None:
    """Clustered 384-d data, 50k points: approximate recall@10 must stay >= 0.95."""
    rng = np.random.default_rng(1)
    centres = unit_rows(rng, 200, dim=384)
    vectors = clustered(rng, centres, 50_000, noise=0.12)
    queries = clustered(rng, centres, 200, noise=0.12)
    ids = np.arange(50_000, dtype=np.int64) * 2 + 1
    exact = FaissVectorIndex.build(ids, vectors)
    approximate = FaissVectorIndex.build(ids, vectors, approximate_threshold=10_000)
    assert (exact.kind, approximate.kind) == ("flat", "ivf")
    _, truth = exact.search(queries, 10)

    def recall() -> float:
        _, found = approximate.search(queries, 10)
        return float(
            np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
        )

    assert recall() >= 0.95
    approximate.nprobe = 1  # the data is hard enough that one list is not enough
    assert recall() < 0.8


def test_reader_retries_when_its_snapshot_is_replaced(tmp_path: Path) -> None:
    snapshot.write_snapshot(tmp_path, lambda folder: (folder / "x").write_text("old"))
    seen: list[str] = []

    def loader(folder: Path) -> str:
        if not seen:  # two commits land while this reader opens the old folder
            for text in ("new", "newer"):
                snapshot.write_snapshot(tmp_path, lambda f, text=text: (f / "x").write_text(text))
        seen.append(folder.name)
        return (folder / "x").read_text()

    assert snapshot.load_current(tmp_path, loader) == "newer"
    assert len(seen) == 2


@pytest.mark.parametrize("threshold", [10_000, 1000], ids=["flat", "ivf"])
def test_vectors_of_returns_stored_rows_of_held_ids_only(rng, threshold: int) -> None:
    ids = np.arange(100, 3100, dtype=np.int64)
    vectors = clustered(rng, unit_rows(rng, 20), len(ids), noise=0.1)
    index = FaissVectorIndex.build(ids, vectors, approximate_threshold=threshold)
    index.remove(np.array([105], dtype=np.int64))
    found, rows = index.vectors_of(np.array([2000, 105, 101, 7], dtype=np.int64))
    assert found.tolist() == [101, 2000]  # sorted; removed and unknown ids left out
    expected = index.export()
    for position, chunk_id in enumerate(found):
        row = int(np.flatnonzero(expected[0] == chunk_id)[0])
        assert np.array_equal(rows[position], expected[1][row])
    empty_ids, empty_rows = index.vectors_of(np.array([], dtype=np.int64))
    assert empty_ids.size == 0
    assert empty_rows.shape == (0, index.dimension)
