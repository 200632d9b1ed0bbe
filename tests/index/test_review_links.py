"""Review: a save into a folder that already holds a hard-linked main file must replace
that file, never write through the link into the committed snapshot it shares an inode with."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.keyword import Bm25Index
from index.keyword_store import MATRIX_FILE
from index.snapshot import current_snapshot
from index.vector_files import MAIN_FILE, VECTORS_FILE
from index.vectors import FaissVectorIndex

DIM = 8
MODEL = "test-model"


def unit_rows(ids: list[int]) -> np.ndarray:
    out = np.stack([np.random.default_rng(i).standard_normal(DIM) for i in ids])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def test_keyword_save_to_twice_leaves_the_linked_snapshot_file_alone(tmp_path: Path) -> None:
    directory, plain = tmp_path / "index", tmp_path / "plain"
    plain.mkdir()
    index = Bm25Index()
    index.add(np.arange(1, 21), [f"bank rates doc{i}" for i in range(1, 21)])
    index.save(directory)
    committed = current_snapshot(directory)
    assert committed is not None
    before = (committed / MATRIX_FILE).read_bytes()

    loaded = Bm25Index.load(directory)
    assert loaded is not None
    loaded.add(np.array([100]), ["flood rain"])
    loaded.save_to(plain)  # the main matrix is linked from the committed snapshot
    assert (plain / MATRIX_FILE).stat().st_ino == (committed / MATRIX_FILE).stat().st_ino
    loaded.add(np.arange(200, 600), [f"cup doc{i}" for i in range(200, 600)])
    loaded.save_to(plain)  # merged: a new main matrix, written into the same folder

    assert (committed / MATRIX_FILE).read_bytes() == before
    reread = Bm25Index.load(directory)
    assert reread is not None
    assert reread.ids().tolist() == list(range(1, 21))
    assert Bm25Index.load_from(plain).ids().tolist() == loaded.ids().tolist()


def test_vector_save_to_twice_leaves_the_linked_snapshot_file_alone(tmp_path: Path) -> None:
    directory, plain = tmp_path / "index", tmp_path / "plain"
    plain.mkdir()
    ids = list(range(1, 41))
    index = FaissVectorIndex(DIM)
    index.add(np.asarray(ids), unit_rows(ids))
    index.save(directory, model_name=MODEL)
    committed = current_snapshot(directory)
    assert committed is not None
    before = (committed / VECTORS_FILE).read_bytes()

    loaded = FaissVectorIndex.load(directory, expected_model=MODEL, expected_dimension=DIM)
    assert loaded is not None
    loaded.add(np.array([100]), unit_rows([100]))
    loaded.save_to(plain, model_name=MODEL)  # linked main file + delta
    assert (plain / MAIN_FILE).stat().st_ino == (committed / VECTORS_FILE).stat().st_ino
    many = list(range(1000, 3000))  # past the delta limit: the whole file is written
    loaded.add(np.asarray(many), unit_rows(many))
    loaded.save_to(plain, model_name=MODEL)

    assert (committed / VECTORS_FILE).read_bytes() == before
    reread = FaissVectorIndex.load(directory, expected_model=MODEL, expected_dimension=DIM)
    assert reread is not None
    assert reread.ids().tolist() == ids
    again = FaissVectorIndex.load_from(plain, expected_model=MODEL, expected_dimension=DIM)
    assert again.ids().tolist() == loaded.ids().tolist()


def test_vector_save_to_its_own_folder_keeps_a_loadable_index(tmp_path: Path) -> None:
    """Loaded from a plain folder and saved back into it: the main file is its own
    source and must not be unlinked or truncated before it is read."""
    plain = tmp_path / "plain"
    plain.mkdir()
    ids = list(range(1, 41))
    index = FaissVectorIndex(DIM)
    index.add(np.asarray(ids), unit_rows(ids))
    index.save_to(plain, model_name=MODEL)
    loaded = FaissVectorIndex.load_from(plain, expected_model=MODEL, expected_dimension=DIM)
    loaded.add(np.array([100]), unit_rows([100]))
    loaded.save_to(plain, model_name=MODEL)
    again = FaissVectorIndex.load_from(plain, expected_model=MODEL, expected_dimension=DIM)
    assert again.ids().tolist() == [*ids, 100]


def test_keyword_save_to_its_own_folder_keeps_a_loadable_index(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    index = Bm25Index()
    index.add(np.arange(1, 21), [f"bank rates doc{i}" for i in range(1, 21)])
    index.save_to(plain)
    loaded = Bm25Index.load_from(plain)
    loaded.add(np.array([100]), ["flood rain"])
    loaded.save_to(plain)
    again = Bm25Index.load_from(plain)
    assert again.ids().tolist() == [*range(1, 21), 100]
    assert again.search("flood", k=3)[1].tolist()[0] == 100
