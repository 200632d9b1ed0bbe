"""The faster tokenizer and bulk BM25 add give exactly what the former code gave: the same
terms, the same index state, the same float32 scores bit for bit and the same saved files,
over random update sequences (adds, removes, re-adds, searches, save/load round trips) on
random and real news text. The former code is kept in `tests/index/reference_*.py`."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.keyword as keyword_module
import tests.index.reference_bm25 as reference_bm25
from index.keyword import Bm25Index
from index.keyword_store import DELTA_FILE, MATRIX_FILE, META_FILE
from index.snapshot import current_snapshot
from index.tokenize import tokenize
from tests.index.reference_bm25 import Bm25Index as OldBm25Index
from tests.index.reference_tokenize import tokenize as old_tokenize

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# Characters and pieces where tokenizing takes its rarer paths: joiners, acronyms,
# numbers, folding, non-ASCII separators, scripts, numerics that are no decimal digits.
TRICKY = [
    *"aAzZ09 5.,'’_-\n\t\"()éÉßﬁ²½٣ाक्—–“”‘«»€£°•\u200dℌ…М\xa0Ⅻ①",
    *["U.S.", "e.g.", "1,000", "3.5", "it's", "’s", "don't", " the ", "².a.", "90’s", ". ", ", "],
]
tricky_text = st.lists(st.sampled_from(TRICKY), max_size=40).map("".join)


def real_texts() -> list[str]:
    """Titles, bodies and paragraphs of the bundled sample articles, and the raw files."""
    texts = []
    with open(SAMPLES / "wikinews" / "articles.jsonl", encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            texts += [article["title"], article["body"], *article["body"].split("\n")]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in SAMPLES.rglob("*.*")]
    return texts


REAL = real_texts()


def test_tokenize_matches_former_on_real_text() -> None:
    assert len(REAL) > 600
    for text in REAL:
        assert tokenize(text) == old_tokenize(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(tricky_text, st.text(max_size=80)))
def test_tokenize_matches_former_on_random_text(text: str) -> None:
    assert tokenize(text) == old_tokenize(text)


# -- the index -----------------------------------------------------------------------------


def random_text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(REAL)[: rng.randint(0, 600)]
    words = ["bank", "rates", "Valencia", "floods", "cup", "the", "and", "weather", "Apple"]
    return " ".join(rng.choice(words + TRICKY) for _ in range(rng.randint(0, 30)))


def pending_entries(index: Bm25Index | OldBm25Index) -> list[tuple[int, np.ndarray, ...]]:
    pending = index._pending
    docs = pending._docs if not isinstance(pending, dict) else pending
    return [(doc_id, cols, tf, length) for doc_id, (cols, tf, length) in docs.items()]


def assert_same_arrays(new: np.ndarray, old: np.ndarray) -> None:
    assert new.dtype == old.dtype
    assert new.shape == old.shape
    assert np.array_equal(new, old)


def assert_same_state(new: Bm25Index, old: OldBm25Index) -> None:
    assert list(new._vocab.items()) == list(old._vocab.items())
    width = len(new._vocab)
    assert_same_arrays(new._df[:width], old._df[:width])
    assert not new._df[width:].any()
    assert not old._df[width:].any()
    assert (new._live, new._total_len) == (old._live, old._total_len)
    assert type(new._total_len) is type(old._total_len) is int
    for name in ("_main_ids", "_main_len", "_alive"):
        assert_same_arrays(getattr(new, name), getattr(old, name))
    assert new._main.shape == old._main.shape
    for name in ("indptr", "indices", "data"):
        assert_same_arrays(getattr(new._main, name), getattr(old._main, name))
    assert new._row_of == old._row_of
    new_pending, old_pending = pending_entries(new), pending_entries(old)
    assert [entry[0] for entry in new_pending] == [entry[0] for entry in old_pending]
    for (_, cols, tf, length), (_, old_cols, old_tf, old_length) in zip(
        new_pending, old_pending, strict=True
    ):
        assert_same_arrays(cols, old_cols)
        assert_same_arrays(tf, old_tf)
        assert length == old_length
        assert type(length) is type(old_length) is int
    assert_same_arrays(new.ids(), old.ids())


def assert_same_search(new: Bm25Index, old: OldBm25Index, rng: random.Random) -> None:
    query = random_text(rng)[:80] if rng.random() < 0.5 else " ".join(rng.sample(TRICKY, 3))
    terms = list(new._vocab)
    if terms:
        query += " " + " ".join(rng.sample(terms, min(3, len(terms))))
    k = rng.randint(1, 40)
    allowed = None
    if rng.random() < 0.5:
        ids = old.ids().tolist()
        allowed = np.array([*rng.sample(ids, rng.randint(0, len(ids))), 10000], np.int64)
    for got, want in zip(new.search(query, k, allowed), old.search(query, k, allowed), strict=True):
        assert_same_arrays(got, want)


def assert_same_files(new: Path, old: Path) -> None:
    assert sorted(p.name for p in new.iterdir()) == sorted(p.name for p in old.iterdir())
    new_meta, old_meta = (json.loads((f / META_FILE).read_text("utf-8")) for f in (new, old))
    del new_meta["built_at"], old_meta["built_at"]
    assert new_meta == old_meta
    for name in (MATRIX_FILE, DELTA_FILE):
        if not (old / name).exists():
            continue
        with np.load(new / name) as got, np.load(old / name) as want:
            assert got.files == want.files
            for field in set(want.files) - {"token"}:  # tokens are random
                assert_same_arrays(got[field], want[field])


def run_scenario(rng: random.Random, tmp_path: Path, steps: int) -> None:
    new, old = Bm25Index(), OldBm25Index()
    pool = list(range(120))
    for step in range(steps):
        action = rng.random()
        if action < 0.45:
            ids = np.array(rng.sample(pool, rng.randint(0, 40)), dtype=np.int64)
            texts = [random_text(rng) for _ in ids]
            new.add(ids, texts)
            old.add(ids, texts)
        elif action < 0.6:
            ids = np.array(rng.sample(pool, rng.randint(0, 30)), dtype=np.int64)
            assert new.remove(ids) == old.remove(ids)
        elif action < 0.8:
            assert_same_search(new, old, rng)
        else:
            folders = tmp_path / f"new{step}", tmp_path / f"old{step}"
            for folder in folders:
                folder.mkdir()
            new.save_to(folders[0])
            old.save_to(folders[1])
            assert_same_state(new, old)  # a save may rebuild
            assert_same_files(*folders)
            new, old = Bm25Index.load_from(folders[0]), OldBm25Index.load_from(folders[1])
            # Either version reads the other's files to the same state.
            assert_same_state(Bm25Index.load_from(folders[1]), old)
        assert_same_state(new, old)
    assert_same_search(new, old, rng)


@pytest.mark.parametrize("seed", range(8))
def test_index_matches_former_over_random_updates(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if seed % 2:  # rebuild early: a main matrix with tombstones under the pending segment
        monkeypatch.setattr(keyword_module, "_MIN_PENDING", 8)
        monkeypatch.setattr(reference_bm25, "_MIN_PENDING", 8)
    if seed >= 4:  # batches counted in several slices
        monkeypatch.setattr(keyword_module, "_COUNT_SLICE", 7)
    run_scenario(random.Random(seed), tmp_path, steps=30)


def test_index_matches_former_on_sample_articles(tmp_path: Path) -> None:
    """All sample texts in one batch (main matrix after a search), then changes on top
    saved as snapshots: deltas, linked main files, rebuilds."""
    rng = random.Random(7)
    ids = np.arange(len(REAL), dtype=np.int64)
    new, old = Bm25Index(), OldBm25Index()
    new.add(ids, REAL)
    old.add(ids, REAL)
    assert_same_state(new, old)
    for round_ in range(4):
        assert_same_search(new, old, rng)
        changed = np.array(rng.sample(range(len(REAL) + 50), 60), dtype=np.int64)
        texts = [random_text(rng) for _ in changed]
        new.add(changed, texts)
        old.add(changed, texts)
        gone = np.array(rng.sample(range(len(REAL)), 20 * round_), dtype=np.int64)
        assert new.remove(gone) == old.remove(gone)
        new.save(tmp_path / "new")
        old.save(tmp_path / "old")
        assert_same_state(new, old)
        new_live, old_live = current_snapshot(tmp_path / "new"), current_snapshot(tmp_path / "old")
        assert new_live is not None
        assert old_live is not None
        assert (new_live / DELTA_FILE).exists()
        assert_same_files(new_live, old_live)
        new, old = Bm25Index.load(tmp_path / "new"), OldBm25Index.load(tmp_path / "old")
        assert new is not None
        assert old is not None
        assert_same_state(new, old)
    assert_same_search(new, old, rng)
