"""BM25 saves that write only what changed: pending documents and tombstones in a delta
file, the unchanged main matrix hard-linked from the previous snapshot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.keyword as keyword_module
from index.errors import IndexMismatchError
from index.keyword import Bm25Index
from index.keyword_store import DELTA_FILE, MATRIX_FILE, META_FILE
from index.snapshot import current_snapshot, write_snapshot
from tests.index.delta_damage import damage_delta
from tests.index.test_keyword import DOCS, assert_matches_reference, build

QUERIES = ("bank rates flood cup rain", "the", "doc3 doc7 rain", "cup")


def assert_same_results(loaded: Bm25Index, twin: Bm25Index) -> None:
    """Bit for bit: the same float32 scores and ids for every query and filter."""
    assert loaded.ids().tolist() == twin.ids().tolist()
    assert len(loaded) == len(twin)
    for query in QUERIES:
        for allowed in (None, np.array([1, 3, 5, 7, 30])):
            got = loaded.search(query, k=40, allowed_ids=allowed)
            want = twin.search(query, k=40, allowed_ids=allowed)
            assert np.array_equal(got[0], want[0])
            assert np.array_equal(got[1], want[1])


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "save", "search"]),
        st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True),
        st.lists(st.sampled_from(["bank", "rates", "flood", "cup", "rain", "the"]), max_size=8),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(OPERATIONS)
def test_save_load_cycles_match_an_index_never_saved(tmp_path_factory, operations) -> None:
    """Adds, removals, merges (on search or save) and save/load round trips: the reloaded
    index answers exactly like a twin that stayed in memory, and like the reference."""
    directory = tmp_path_factory.mktemp("kw")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyword_module, "_MIN_PENDING", 4)  # merge now and then
        index, twin = Bm25Index(), Bm25Index()
        docs: dict[int, str] = {}
        for action, ids, words in operations:
            if action == "add":
                texts = [" ".join([*words, f"doc{doc_id}"]) for doc_id in ids]
                for target in (index, twin):
                    target.add(np.array(ids), texts)
                docs.update(zip(ids, texts, strict=True))
            elif action == "remove":
                assert index.remove(np.array(ids)) == twin.remove(np.array(ids))
                for doc_id in ids:
                    docs.pop(doc_id, None)
            elif action == "save":
                index.save(directory)
                loaded = Bm25Index.load(directory)
                assert loaded is not None
                index = loaded
            else:
                assert_same_results(index, twin)
        index.save(directory)
        loaded = Bm25Index.load(directory)
        assert loaded is not None
        assert_same_results(loaded, twin)
        if docs:
            assert_matches_reference(loaded, docs, QUERIES[0])


def test_small_change_links_the_main_matrix_and_writes_a_delta(tmp_path: Path) -> None:
    base = build({i: f"story {i} about the bank and rates" for i in range(400)})
    base.save(tmp_path)
    first = current_snapshot(tmp_path)
    assert first is not None
    assert not (first / DELTA_FILE).exists()

    loaded = Bm25Index.load(tmp_path)
    assert loaded is not None
    loaded.add(np.array([1000, 1001]), ["late bank news", "flood warning"])
    loaded.remove(np.array([3, 4]))
    loaded.save(tmp_path)
    second = current_snapshot(tmp_path)
    assert second is not None
    assert second != first
    assert os.stat(second / MATRIX_FILE).st_ino == os.stat(first / MATRIX_FILE).st_ino
    assert (second / DELTA_FILE).is_file()
    assert json.loads((second / META_FILE).read_text())["format_version"] == 2

    loaded.add(np.array([1002]), ["rain"])
    loaded.save(tmp_path)  # the first snapshot is collected: the link keeps its file
    third = current_snapshot(tmp_path)
    assert third is not None
    assert not first.exists()
    assert os.stat(third / MATRIX_FILE).st_ino == os.stat(second / MATRIX_FILE).st_ino
    again = Bm25Index.load(tmp_path)
    assert again is not None
    assert_same_results(again, loaded)
    assert 3 not in again.ids()
    assert 1002 in again.ids()


def test_another_writers_matrix_is_never_linked(tmp_path: Path) -> None:
    """Two indexes saving into one directory: each keeps its own main matrix."""
    one = build({i: f"alpha bank {i}" for i in range(50)})
    other = build({i: f"beta rain {i}" for i in range(60)})
    one.save(tmp_path)
    one = Bm25Index.load(tmp_path)
    assert one is not None
    other.save(tmp_path)  # now live: a main file with another token
    one.add(np.array([500]), ["alpha news"])
    one.save(tmp_path)
    loaded = Bm25Index.load(tmp_path)
    assert loaded is not None
    assert_same_results(loaded, one)
    assert len(loaded) == 51


def test_format_1_files_still_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots written before the delta file existed (no token, no delta)."""
    monkeypatch.setattr(keyword_module, "_MIN_PENDING", 0)
    index = build(DOCS)
    index.save_to(tmp_path)  # merged: the same arrays format 1 held
    monkeypatch.undo()
    with np.load(tmp_path / MATRIX_FILE) as arrays:
        old = {name: arrays[name] for name in ("indptr", "indices", "data", "ids", "lengths")}
    with open(tmp_path / MATRIX_FILE, "wb") as handle:
        np.savez(handle, **old)
    meta = json.loads((tmp_path / META_FILE).read_text())
    assert meta["format_version"] == 1
    loaded = Bm25Index.load_from(tmp_path)
    for query in ("bank", "weather valencia"):
        assert_matches_reference(loaded, DOCS, query)
    loaded.add(np.array([30]), ["bank holiday"])  # no token: the next save writes it all
    write_snapshot(tmp_path / "dir", loaded.save_to)
    again = Bm25Index.load(tmp_path / "dir")
    assert again is not None
    assert_same_results(again, loaded)


@pytest.mark.parametrize("damage", ["garbage", "missing", "bad row"])
def test_damaged_delta_file_is_reported(tmp_path: Path, damage: str) -> None:
    index = build({i: f"bank story {i}" for i in range(300)})
    index.save(tmp_path)
    index = Bm25Index.load(tmp_path)
    assert index is not None
    index.add(np.array([900]), ["flood"])
    index.remove(np.array([1]))
    index.save(tmp_path)
    folder = current_snapshot(tmp_path)
    assert folder is not None
    delta = folder / DELTA_FILE
    damage_delta(delta, damage, field="dead_rows", value=np.array([10_000]))
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        Bm25Index.load(tmp_path)
