"""The tokenizer and the BM25 index, checked against a plain reference implementation."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import index.keyword as keyword_module
from index.errors import IndexMismatchError
from index.keyword import Bm25Index, tokenize
from index.keyword_store import MATRIX_FILE, META_FILE
from index.snapshot import current_snapshot, write_snapshot
from index.vectors import FaissVectorIndex

DOCS = {
    10: "The central bank raised interest rates on Tuesday.",
    11: "Floods hit Valencia; the bank of the river burst.",
    12: "Football: Valencia wins the cup final against Madrid.",
    13: "Interest rates: markets expect the central bank to pause in 2025.",
    14: "A long report on weather, weather, weather and more weather in Spain.",
}


def reference_bm25(
    docs: dict[int, str], query: str, k1: float = 1.2, b: float = 0.75
) -> dict[int, float]:
    """Textbook BM25 (Lucene idf) over tokenized docs: the oracle for the index."""
    tokenized = {doc_id: tokenize(text) for doc_id, text in docs.items()}
    count = len(tokenized)
    avgdl = sum(len(t) for t in tokenized.values()) / count
    scores: dict[int, float] = {}
    for term in set(tokenize(query)):
        df = sum(term in terms for terms in tokenized.values())
        if df == 0:
            continue
        idf = math.log(1 + (count - df + 0.5) / (df + 0.5))
        for doc_id, terms in tokenized.items():
            tf = Counter(terms)[term]
            if tf:
                norm = k1 * (1 - b + b * len(terms) / avgdl)
                scores[doc_id] = scores.get(doc_id, 0.0) + idf * tf * (k1 + 1) / (tf + norm)
    return scores


def assert_matches_reference(index: Bm25Index, docs: dict[int, str], query: str) -> None:
    expected = reference_bm25(docs, query) if docs else {}
    scores, ids = index.search(query, k=len(docs) + 3)
    got = {int(i): float(s) for s, i in zip(scores, ids, strict=True) if i >= 0}
    assert got.keys() == expected.keys()
    for doc_id, value in expected.items():
        assert got[doc_id] == pytest.approx(value, rel=1e-4)


def build(docs: dict[int, str]) -> Bm25Index:
    index = Bm25Index()
    index.add(np.array(list(docs), dtype=np.int64), list(docs.values()))
    return index


# -- tokenizer -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Bank's RATES rose", ["bank", "rates", "rose"]),
        ("Café Müller in Zürich", ["cafe", "muller", "zurich"]),
        ("Costs: $1,000,000 or 3.5% in 2024.", ["costs", "1000000", "3.5", "2024"]),
        ("The U.S. and e.g. the UK", ["us", "eg", "uk"]),
        ("students' rights don’t end", ["students", "rights", "dont", "end"]),
        ("COVID-19 hit 5G towers", ["covid", "19", "hit", "5g", "towers"]),
        ("what is it?", []),
        ("", []),
        ("Москва и 東京", ["москва", "и", "東京"]),
        ("snake_case ﬁnance", ["snake", "case", "finance"]),
        ("İstanbul ℌeadline", ["istanbul", "headline"]),  # folds that need two passes
    ],
)
def test_tokenize(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


@given(st.text(max_size=200))
def test_tokenize_is_total_and_stable(text: str) -> None:
    terms = tokenize(text)
    assert all(term and term == term.casefold() for term in terms)
    assert tokenize(" ".join(terms)) == terms  # tokens are fixed points


# -- BM25 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["central bank interest rates", "Valencia", "weather", "bank", "nothing-here"]
)
def test_scores_match_reference(query: str) -> None:
    assert_matches_reference(build(DOCS), DOCS, query)


def test_ranking_and_padding() -> None:
    index = build(DOCS)
    scores, ids = index.search("central bank rates", k=4)
    assert scores.shape == ids.shape == (4,)
    assert scores.dtype == np.float32
    assert ids.dtype == np.int64
    assert set(ids[:2].tolist()) == {10, 13}
    assert ids[2] == 11  # only "bank"
    assert ids[3] == -1
    assert np.isneginf(scores[3])
    assert np.all(np.diff(scores[:3]) <= 0)


def test_stop_word_query_finds_nothing() -> None:
    scores, ids = build(DOCS).search("the of and", k=3)
    assert (ids == -1).all()
    assert np.isneginf(scores).all()


def test_allowed_ids_filter() -> None:
    _, ids = build(DOCS).search("bank", k=5, allowed_ids=np.array([11, 12, 99]))
    assert ids.tolist() == [11, -1, -1, -1, -1]


def test_ties_break_by_id() -> None:
    index = build({5: "same words", 3: "same words", 9: "same words", 1: "same words", 4: "x"})
    assert index.search("words", k=2)[1].tolist() == [1, 3]
    assert index.search("words", k=5)[1].tolist() == [1, 3, 5, 9, -1]


def test_remove_updates_frequencies() -> None:
    index = build(DOCS)
    assert index.remove(np.array([10, 13, 777])) == 2
    assert len(index) == 3
    remaining = {i: t for i, t in DOCS.items() if i not in (10, 13)}
    for query in ("bank", "central rates", "valencia"):
        assert_matches_reference(index, remaining, query)
    assert index.ids().tolist() == [11, 12, 14]


def test_add_same_id_replaces() -> None:
    index = build(DOCS)
    index.add(np.array([12]), ["Tennis: Madrid open final"])
    docs = {**DOCS, 12: "Tennis: Madrid open final"}
    assert len(index) == len(DOCS)
    assert_matches_reference(index, docs, "valencia final tennis")


def test_bad_arguments() -> None:
    index = Bm25Index()
    with pytest.raises(ValueError, match="texts"):
        index.add(np.array([1, 2]), ["one"])
    with pytest.raises(ValueError, match="distinct"):
        index.add(np.array([1, 1]), ["one", "two"])
    with pytest.raises(ValueError, match="k must be positive"):
        index.search("x", k=0)


def test_empty_index() -> None:
    index = Bm25Index()
    assert len(index) == 0
    _, ids = index.search("anything", k=2)
    assert ids.tolist() == [-1, -1]


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove"]),
        st.lists(st.integers(0, 30), min_size=1, max_size=6, unique=True),
        st.lists(st.sampled_from(["bank", "rates", "flood", "cup", "rain", "the"]), max_size=8),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(OPERATIONS)
def test_any_update_sequence_matches_a_fresh_reference(operations) -> None:
    """Adds, replacements and removals, across pending rows, merges and tombstones."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keyword_module, "_MIN_PENDING", 2)  # merge often
        index = Bm25Index()
        docs: dict[int, str] = {}
        for step, (action, ids, words) in enumerate(operations):
            if action == "add":
                texts = [" ".join([*words, f"doc{doc_id}"]) for doc_id in ids]
                index.add(np.array(ids), texts)
                docs.update(zip(ids, texts, strict=True))
            else:
                removed = index.remove(np.array(ids))
                assert removed == sum(doc_id in docs for doc_id in ids)
                for doc_id in ids:
                    docs.pop(doc_id, None)
            assert len(index) == len(docs)
            assert_matches_reference(index, docs, "bank rates flood cup rain")
            if step % 3 == 0:
                assert_matches_reference(index, docs, f"doc{ids[0]} rain")


def test_save_load_roundtrip(tmp_path: Path) -> None:
    index = build(DOCS)
    index.remove(np.array([11]))
    index.add(np.array([20]), ["Late news: the bank closes early"])  # still pending
    index.save(tmp_path / "kw")
    loaded = Bm25Index.load(tmp_path / "kw")
    assert loaded is not None
    docs = {**{i: t for i, t in DOCS.items() if i != 11}, 20: "Late news: the bank closes early"}
    assert loaded.ids().tolist() == sorted(docs)
    for query in ("bank", "weather valencia", "late news"):
        assert_matches_reference(loaded, docs, query)
    loaded.add(np.array([21]), ["more bank news"])  # a loaded index keeps working
    assert_matches_reference(loaded, {**docs, 21: "more bank news"}, "bank news")


def test_load_missing_is_none(tmp_path: Path) -> None:
    assert Bm25Index.load(tmp_path / "none") is None


def test_damaged_files_are_reported(tmp_path: Path) -> None:
    build(DOCS).save_to(tmp_path)
    (tmp_path / MATRIX_FILE).write_bytes(b"garbage")
    with pytest.raises(IndexMismatchError, match="reindex --full"):
        Bm25Index.load_from(tmp_path)
    (tmp_path / META_FILE).unlink()
    with pytest.raises(IndexMismatchError):
        Bm25Index.load_from(tmp_path)


def test_one_snapshot_holds_both_indexes(tmp_path: Path) -> None:
    """How the lead saves both together: one atomic commit, both load back."""
    keyword = build(DOCS)
    vectors = FaissVectorIndex(4)
    vectors.add(np.array(list(DOCS)), np.eye(5, 4, dtype=np.float32) + 0.1)

    def write_both(folder: Path) -> None:
        vectors.save_to(folder, model_name="m")
        keyword.save_to(folder)

    write_snapshot(tmp_path, write_both)
    folder = current_snapshot(tmp_path)
    assert folder is not None
    assert {p.name for p in folder.iterdir()} >= {MATRIX_FILE, META_FILE, "vectors.faiss"}
    loaded_keyword = Bm25Index.load(tmp_path)
    loaded_vectors = FaissVectorIndex.load(tmp_path, expected_model="m", expected_dimension=4)
    assert loaded_keyword is not None
    assert loaded_vectors is not None
    assert loaded_keyword.ids().tolist() == loaded_vectors.ids().tolist()
