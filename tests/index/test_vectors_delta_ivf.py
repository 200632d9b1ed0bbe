"""IVF vector saves that write only what changed, like flat ones: the unchanged main file
linked from the previous snapshot, removed ids and added vectors (with their inverted
lists) in `vectors-delta.npz`; a loaded index searches exactly like the one saved."""

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
from index.faiss_kinds import IVF
from index.manifest import MANIFEST_NAME
from index.snapshot import current_snapshot
from index.vector_files import DELTA_FILE, MAIN_FILE, VECTORS_FILE
from index.vectors import FaissVectorIndex
from tests.index.delta_damage import damage_delta

DIM = 16
MODEL = "test-model"
COUNT = 2000  # nlist 51, nprobe 8


def rows_for(ids: list[int] | np.ndarray, version: int) -> np.ndarray:
    """Deterministic unit vectors per (id, version), so a replaced id gets a new vector."""
    out = np.stack(
        [np.random.default_rng(int(i) * 1000 + version).standard_normal(DIM) for i in ids]
    )
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def built() -> FaissVectorIndex:
    ids = np.arange(COUNT, dtype=np.int64) * 2 + 1
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((COUNT, DIM)).astype(np.float32)
    index = FaissVectorIndex.build(ids, vectors, approximate_threshold=1000)
    assert index.kind == IVF
    return index


@pytest.fixture
def saved(tmp_path: Path, built: FaissVectorIndex) -> Path:
    """A directory whose live snapshot holds `built`, written whole."""
    built.save(tmp_path, model_name=MODEL)
    return tmp_path


def load(directory: Path) -> FaissVectorIndex:
    loaded = FaissVectorIndex.load(directory, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    return loaded


def live(directory: Path) -> Path:
    folder = current_snapshot(directory)
    assert folder is not None
    return folder


QUERIES = rows_for(range(90_000, 90_030), 0)


def assert_same_search(loaded: FaissVectorIndex, twin: FaissVectorIndex) -> None:
    """Same ids and bit-identical scores, at the saved nprobe and scanning every list,
    unfiltered and filtered; and the same vector stored for every id."""
    assert len(loaded) == len(twin)
    got_ids, got_vectors = loaded.export()
    want_ids, want_vectors = twin.export()
    assert got_ids.tolist() == want_ids.tolist()
    assert np.array_equal(got_vectors, want_vectors)
    found, vectors = loaded.vectors_of(want_ids[::5])  # through the id map
    assert found.tolist() == want_ids[::5].tolist()
    assert np.array_equal(vectors, want_vectors[::5])
    allowed = want_ids[::3]
    for nprobe in (twin.nprobe, 10_000):
        assert nprobe is not None
        loaded.nprobe = twin.nprobe = nprobe
        for filtered in (None, allowed):
            got = loaded.search(QUERIES, 10, allowed_ids=filtered)
            want = twin.search(QUERIES, 10, allowed_ids=filtered)
            assert got[1].tolist() == want[1].tolist()
            assert np.array_equal(got[0], want[0])
    loaded.nprobe = twin.nprobe = 8


def test_small_change_links_the_main_file(saved: Path) -> None:
    first = live(saved)
    index = load(saved)
    replaced = np.array([1, 3, 5])  # held: their old vectors must go
    fresh = np.arange(10_001, 10_041, 2)
    index.add(np.concatenate([replaced, fresh]), rows_for([*replaced, *fresh], 1))
    index.remove(np.array([7, 9, 10_001, 424_242]))  # a main id, an added one, an unknown
    index.save(saved, model_name=MODEL)

    second = live(saved)
    assert not (second / VECTORS_FILE).exists()  # older readers find no whole file
    assert os.stat(second / MAIN_FILE).st_ino == os.stat(first / VECTORS_FILE).st_ino
    manifest = json.loads((second / MANIFEST_NAME).read_text())
    assert manifest["count"] == COUNT + len(fresh) - 3
    assert manifest["params"]["delta"] is True
    assert manifest["params"]["main_count"] == COUNT
    with np.load(second / DELTA_FILE) as delta:
        assert sorted(delta["dead"].tolist()) == [1, 3, 5, 7, 9]
        assert delta["ids"].tolist() == [1, 3, 5, *fresh[1:].tolist()]
        assert delta["lists"].shape == delta["ids"].shape
    assert_same_search(load(saved), index)

    again = load(saved)  # the delta grows; the main file is linked from MAIN_FILE now
    again.add(np.array([20_000]), rows_for([20_000], 2))
    again.remove(np.array([11]))
    again.save(saved, model_name=MODEL)
    third = live(saved)
    assert not first.exists()  # collected: the main file lives on through its links
    assert os.stat(third / MAIN_FILE).st_ino == os.stat(second / MAIN_FILE).st_ino
    assert_same_search(load(saved), again)


def test_unchanged_index_links_the_whole_file(saved: Path) -> None:
    first = live(saved)
    load(saved).save(saved, model_name=MODEL)
    second = live(saved)
    assert os.stat(second / VECTORS_FILE).st_ino == os.stat(first / VECTORS_FILE).st_ino
    assert not (second / DELTA_FILE).exists()
    assert json.loads((second / MANIFEST_NAME).read_text())["params"]["delta"] is False


def test_a_delta_undone_links_the_main_file_as_a_whole_file(saved: Path) -> None:
    """Removing what was added since the main file leaves the main file itself."""
    main_inode = os.stat(live(saved) / VECTORS_FILE).st_ino
    index = load(saved)
    index.add(np.array([50_000]), rows_for([50_000], 1))
    index.save(saved, model_name=MODEL)
    assert (live(saved) / MAIN_FILE).exists()
    index = load(saved)
    index.remove(np.array([50_000]))
    index.save(saved, model_name=MODEL)
    third = live(saved)
    assert os.stat(third / VECTORS_FILE).st_ino == main_inode
    assert not (third / DELTA_FILE).exists()
    assert_same_search(load(saved), index)


@pytest.mark.parametrize("change", ["add", "remove"])
def test_large_change_writes_the_whole_file(saved: Path, change: str) -> None:
    first = live(saved)
    index = load(saved)
    if change == "add":  # over 1/8 of the main file
        extra = np.arange(100_000, 100_000 + COUNT // 8 + 1)
        index.add(extra, rows_for(extra, 1))
    else:  # over 1/4 of it
        index.remove(np.arange(COUNT // 4 + 1) * 2 + 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(vector_files, "_MIN_DELTA_ROWS", 0)
        index.save(saved, model_name=MODEL)
    second = live(saved)
    assert not (second / DELTA_FILE).exists()
    assert not (second / MAIN_FILE).exists()
    assert os.stat(second / VECTORS_FILE).st_ino != os.stat(first / VECTORS_FILE).st_ino
    assert_same_search(load(saved), index)


def test_older_readers_refuse_a_snapshot_with_a_delta(saved: Path) -> None:
    """A reader from before this layout opens `vectors.faiss` and checks its count
    against the manifest: here 3 chunks replaced by 3 keep the count, so finding the
    main file there would load stale vectors. It finds none and reports damage."""
    index = load(saved)
    index.remove(np.array([1, 3, 5]))
    index.add(np.array([70_001, 70_003, 70_005]), rows_for([70_001, 70_003, 70_005], 1))
    index.save(saved, model_name=MODEL)
    folder = live(saved)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["count"] == manifest["params"]["main_count"] == COUNT
    with pytest.raises(RuntimeError):
        faiss.read_index(str(folder / VECTORS_FILE))  # what older readers call


def test_search_during_changes_matches_after_reload(saved: Path) -> None:
    """Search results of a loaded delta equal those before the save, also for vectors
    added in batches of other sizes (their lists are stored, not assigned again)."""
    index = load(saved)
    rng = np.random.default_rng(8)
    for batch in (1, 7, 64, 130):
        ids = rng.choice(np.arange(200_000, 260_000), batch, replace=False)
        index.add(ids, rows_for(ids, batch))
    index.save(saved, model_name=MODEL)
    assert_same_search(load(saved), index)


@pytest.mark.parametrize("damage", ["garbage", "missing", "unknown dead id", "bad list"])
def test_damaged_delta_is_reported(saved: Path, damage: str) -> None:
    index = load(saved)
    index.add(np.array([30_000]), rows_for([30_000], 1))
    index.remove(np.array([3]))
    index.save(saved, model_name=MODEL)
    delta = live(saved) / DELTA_FILE
    if damage == "bad list":
        damage_delta(delta, damage, field="lists", value=np.array([10**6]))
    else:
        damage_delta(delta, damage, field="dead", value=np.array([12345]))
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        load(saved)


def test_unknown_main_file_name_is_damage(saved: Path) -> None:
    folder = live(saved)
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    manifest["params"]["main_file"] = "../elsewhere.faiss"
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        load(saved)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "remove", "save"]),
        st.lists(st.integers(0, 60), min_size=1, max_size=8, unique=True),
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=15, deadline=None)
@given(OPERATIONS)
def test_save_load_cycles_match_an_index_never_saved(
    tmp_path_factory: pytest.TempPathFactory, built: FaissVectorIndex, operations
) -> None:
    directory = tmp_path_factory.mktemp("ivf")
    built.save(directory, model_name=MODEL)
    index, twin = load(directory), load(directory)  # one main file, one quantizer
    for version, (action, small) in enumerate(operations):
        ids = np.array(small) * 37 + 1  # main ids (odd, < 2 * COUNT) and new ones
        if action == "add":
            for target in (index, twin):
                target.add(ids, rows_for(ids, version))
        elif action == "remove":
            assert index.remove(ids) == twin.remove(ids)
        else:
            index.save(directory, model_name=MODEL)
            index = load(directory)
            assert_same_search(index, twin)
    index.save(directory, model_name=MODEL)
    assert_same_search(load(directory), twin)
