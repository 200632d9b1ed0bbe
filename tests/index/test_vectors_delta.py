"""Flat vector saves that write only what changed: the unchanged main file linked from the
previous snapshot, removed ids and added vectors in `vectors-delta.npz` (IVF ones:
`test_vectors_delta_ivf.py`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import faiss
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.vector_files as vector_files
from index.errors import IndexMismatchError
from index.faiss_kinds import flat_storage
from index.manifest import MANIFEST_NAME
from index.snapshot import current_snapshot
from index.vector_files import DELTA_FILE, MAIN_FILE, VECTORS_FILE
from index.vectors import FaissVectorIndex
from tests.index.delta_damage import damage_delta

DIM = 8
MODEL = "test-model"


def rows_for(ids: list[int], version: int) -> np.ndarray:
    """Deterministic unit vectors per (id, version), so a replaced id gets a new vector."""
    out = np.stack([np.random.default_rng(i * 1000 + version).standard_normal(DIM) for i in ids])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def load(directory: Path) -> FaissVectorIndex:
    loaded = FaissVectorIndex.load(directory, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    return loaded


def assert_same_index(loaded: FaissVectorIndex, twin: FaissVectorIndex) -> None:
    """The same rows in the same order, hence bit-identical searches."""
    got_ids, got_vectors = flat_storage(loaded._index)
    want_ids, want_vectors = flat_storage(twin._index)
    assert got_ids.tolist() == want_ids.tolist()
    assert np.array_equal(got_vectors, want_vectors)
    if len(twin):
        queries = rows_for([99_001, 99_002], 0)
        for allowed in (None, np.array([1, 2, 3, 5, 8, 13])):
            got = loaded.search(queries, 5, allowed_ids=allowed)
            want = twin.search(queries, 5, allowed_ids=allowed)
            assert np.array_equal(got[0], want[0])
            assert np.array_equal(got[1], want[1])


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "remove", "save"]),
        st.lists(st.integers(0, 40), min_size=1, max_size=5, unique=True),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(OPERATIONS)
def test_save_load_cycles_match_an_index_never_saved(tmp_path_factory, operations) -> None:
    directory = tmp_path_factory.mktemp("vec")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vector_files, "_MIN_DELTA_ROWS", 12)  # full writes now and then
        index, twin = FaissVectorIndex(DIM), FaissVectorIndex(DIM)
        for version, (action, ids) in enumerate(operations):
            if action == "add":
                for target in (index, twin):
                    target.add(np.array(ids), rows_for(ids, version))
            elif action == "remove":
                assert index.remove(np.array(ids)) == twin.remove(np.array(ids))
            else:
                index.save(directory, model_name=MODEL)
                index = load(directory)
                assert_same_index(index, twin)
        index.save(directory, model_name=MODEL)
        assert_same_index(load(directory), twin)


def test_small_change_links_the_vectors_file(tmp_path: Path) -> None:
    base = FaissVectorIndex(DIM)
    base.add(np.arange(100), rows_for(list(range(100)), 0))
    base.save(tmp_path, model_name=MODEL)
    first = current_snapshot(tmp_path)
    assert first is not None

    index = load(tmp_path)
    index.add(np.array([500, 5]), rows_for([500, 5], 1))  # 5 is replaced
    index.remove(np.array([7, 8]))
    index.save(tmp_path, model_name=MODEL)
    second = current_snapshot(tmp_path)
    assert second is not None
    main_inode = os.stat(first / VECTORS_FILE).st_ino
    assert os.stat(second / MAIN_FILE).st_ino == main_inode
    assert not (second / VECTORS_FILE).exists()  # older readers report damage
    with np.load(second / DELTA_FILE) as delta:
        assert sorted(delta["dead"].tolist()) == [5, 7, 8]
        assert delta["ids"].tolist() == [500, 5]
    manifest = json.loads((second / MANIFEST_NAME).read_text())
    assert manifest["count"] == 99
    assert manifest["params"]["delta"] is True

    index.save(tmp_path, model_name=MODEL)  # the first snapshot is collected
    assert not first.exists()
    assert_same_index(load(tmp_path), index)

    index.add(np.arange(1000, 1040), rows_for(list(range(1000, 1040)), 2))  # over 1/8
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vector_files, "_MIN_DELTA_ROWS", 0)
        index.save(tmp_path, model_name=MODEL)
    fourth = current_snapshot(tmp_path)
    assert fourth is not None
    assert not (fourth / DELTA_FILE).exists()
    assert os.stat(fourth / VECTORS_FILE).st_ino != main_inode
    assert_same_index(load(tmp_path), index)


def test_another_writers_file_is_never_linked(tmp_path: Path) -> None:
    one = FaissVectorIndex(DIM)
    one.add(np.arange(50), rows_for(list(range(50)), 0))
    one.save(tmp_path, model_name=MODEL)
    one = load(tmp_path)
    other = FaissVectorIndex(DIM)
    other.add(np.arange(60), rows_for(list(range(60)), 1))
    other.save(tmp_path, model_name=MODEL)  # live now: another main token
    one.add(np.array([70]), rows_for([70], 2))
    one.save(tmp_path, model_name=MODEL)
    assert_same_index(load(tmp_path), one)


def test_files_without_a_main_token_still_load(tmp_path: Path) -> None:
    """Snapshots written before the delta layout: no token in the manifest."""
    index = FaissVectorIndex(DIM)
    index.add(np.arange(20), rows_for(list(range(20)), 0))
    index.save_to(tmp_path, model_name=MODEL)
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    manifest["params"] = {}
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest))
    loaded = FaissVectorIndex.load_from(tmp_path, expected_model=MODEL, expected_dimension=DIM)
    assert_same_index(loaded, index)
    loaded.add(np.array([30]), rows_for([30], 1))
    loaded.save(tmp_path / "dir", model_name=MODEL)  # written whole
    folder = current_snapshot(tmp_path / "dir")
    assert folder is not None
    assert not (folder / DELTA_FILE).exists()
    assert_same_index(load(tmp_path / "dir"), loaded)


@pytest.mark.parametrize("damage", ["garbage", "missing", "unknown dead id"])
def test_damaged_delta_is_reported(tmp_path: Path, damage: str) -> None:
    index = FaissVectorIndex(DIM)
    index.add(np.arange(100), rows_for(list(range(100)), 0))
    index.save(tmp_path, model_name=MODEL)
    index = load(tmp_path)
    index.add(np.array([200]), rows_for([200], 1))
    index.remove(np.array([3]))
    index.save(tmp_path, model_name=MODEL)
    folder = current_snapshot(tmp_path)
    assert folder is not None
    delta = folder / DELTA_FILE
    damage_delta(delta, damage, field="dead", value=np.array([12345]))
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        load(tmp_path)


def test_older_readers_refuse_a_delta_that_keeps_the_count(tmp_path: Path) -> None:
    """Readers from before the delta layout open `vectors.faiss` and check its count
    against the manifest's: one chunk replaced keeps the count, so the main file found
    there would load with a stale vector. They find none and report damage."""
    index = FaissVectorIndex(DIM)
    index.add(np.arange(30), rows_for(list(range(30)), 0))
    index.save(tmp_path, model_name=MODEL)
    index = load(tmp_path)
    index.add(np.array([4]), rows_for([4], 1))
    index.save(tmp_path, model_name=MODEL)
    folder = current_snapshot(tmp_path)
    assert folder is not None
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["count"] == manifest["params"]["main_count"] == 30
    assert (folder / DELTA_FILE).exists()
    with pytest.raises(RuntimeError):
        faiss.read_index(str(folder / VECTORS_FILE))  # what older readers call
    assert_same_index(load(tmp_path), index)


def test_deltas_beside_vectors_faiss_still_load(tmp_path: Path) -> None:
    """Snapshots written when the main file kept its name beside a delta (no `main_file`
    param) load, and a later save links that file."""
    index = FaissVectorIndex(DIM)
    index.add(np.arange(40), rows_for(list(range(40)), 0))
    index.save(tmp_path, model_name=MODEL)
    index = load(tmp_path)
    index.add(np.array([4, 90]), rows_for([4, 90], 1))
    index.save(tmp_path, model_name=MODEL)
    folder = current_snapshot(tmp_path)
    assert folder is not None
    (folder / MAIN_FILE).rename(folder / VECTORS_FILE)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    del manifest["params"]["main_file"]
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    loaded = load(tmp_path)
    assert_same_index(loaded, index)
    loaded.add(np.array([91]), rows_for([91], 2))
    loaded.save(tmp_path, model_name=MODEL)
    newest = current_snapshot(tmp_path)
    assert newest is not None
    assert os.stat(newest / MAIN_FILE).st_ino == os.stat(folder / VECTORS_FILE).st_ino
    assert_same_index(load(tmp_path), loaded)
