"""The BM25 index as it was before bulk counting and the pending-segment module (kept
verbatim, but for its tokenizer import, as the reference
`tests/index/test_keyword_equivalence.py` checks the new one against)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from index.bm25_scoring import Bm25Stats, no_results, score_all, score_rows, top_k
from index.keyword_store import KeywordDelta, read_keyword_files, write_keyword_files
from index.protocols import FloatMatrix, IdArray
from index.snapshot import load_current, write_snapshot
from tests.index.reference_tokenize import tokenize

__all__ = ["Bm25Index", "tokenize"]

_PENDING_SHARE = 0.125
_DEAD_SHARE = 0.25
_MIN_PENDING = 256
# A search restricted to at most this share of the documents scores only those (the
# searcher's "BM25 scores of these 100 dense hits" at 1M chunks: 1.5 ms instead of 21 ms).
_SUBSET_SHARE = 0.01


class Bm25Index:
    """In-memory BM25 over int64 ids. Methods are serialised by a lock."""

    def __init__(self, *, k1: float = 1.2, b: float = 0.75) -> None:
        if k1 < 0 or not 0 <= b <= 1:
            raise ValueError(f"need k1 >= 0 and 0 <= b <= 1, got k1={k1}, b={b}")
        self.k1 = k1
        self.b = b
        self._lock = threading.RLock()
        self._vocab: dict[str, int] = {}
        self._df = np.zeros(0, dtype=np.int64)  # live documents per term
        self._main = sp.csc_array((0, 0), dtype=np.float32)
        self._main_ids = np.zeros(0, dtype=np.int64)
        self._main_len = np.zeros(0, dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._row_of: dict[int, int] = {}  # id -> main row (live rows only)
        self._pending: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}  # id -> cols, tf, len
        self._delta: tuple[sp.csc_array, IdArray, np.ndarray] | None = None
        self._live = 0
        self._total_len = 0
        self._norms: tuple[float, np.ndarray, np.ndarray] | None = None  # see _main_norms
        # Token of a saved file holding exactly `_main` (and the folder it was read from).
        self._main_file: tuple[bytes, Path | None] | None = None

    # -- KeywordIndex ---------------------------------------------------------------

    def __len__(self) -> int:
        return self._live

    def add(self, ids: IdArray, texts: Sequence[str]) -> None:
        """Index texts under ids; an id already present is replaced."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("ids in one batch must be distinct")
        with self._lock:
            self._remove_locked(ids)
            for doc_id, text in zip(ids.tolist(), texts, strict=True):
                self._add_one(doc_id, tokenize(text))
            self._delta = None
            if len(self._pending) > max(50_000, len(self._main_ids)):  # bound pending memory
                self._rebuild()

    def remove(self, ids: IdArray) -> int:
        """Forget these ids (absent ones are ignored); return how many were removed."""
        with self._lock:
            return self._remove_locked(np.unique(np.asarray(ids, dtype=np.int64).ravel()))

    def ids(self) -> IdArray:
        """All live ids, sorted."""
        with self._lock:
            main = self._main_ids[self._alive]
            pending = np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))
            return np.sort(np.concatenate([main, pending]))

    def search(
        self, query: str, k: int, allowed_ids: IdArray | None = None
    ) -> tuple[FloatMatrix, IdArray]:
        """Top-k (scores, ids) for one query, shapes (k,); missing slots are (-inf, -1).

        Only documents sharing a term with the query are returned.
        """
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        allowed = None if allowed_ids is None else np.asarray(allowed_ids, np.int64).ravel()
        with self._lock:
            cols = sorted({self._vocab[t] for t in tokenize(query) if t in self._vocab})
            if not cols or self._live == 0:
                return no_results(k)
            self._maybe_rebuild()
            if allowed is not None and len(allowed) <= _SUBSET_SHARE * self._live:
                scores, row_ids = self._score_subset(cols, np.unique(allowed))
                candidates = np.flatnonzero(scores > 0)
            else:
                scores, row_ids, alive = self._score(cols)
                candidates = np.flatnonzero(scores > 0)
                candidates = candidates[alive[candidates]]
                if allowed is not None:
                    candidates = candidates[np.isin(row_ids[candidates], allowed)]
        return top_k(scores, row_ids, candidates, k)

    # -- persistence ----------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write a new snapshot of `directory` atomically (see `index/snapshot.py`)."""
        write_snapshot(directory, self.save_to)

    def save_to(self, folder: Path) -> None:
        """Write keyword.npz + keyword.json into an existing folder (not atomic by itself)."""
        with self._lock:
            self._maybe_rebuild()
            token, source = self._main_file or (None, None)
            token = write_keyword_files(
                folder,
                matrix=self._main,
                ids=self._main_ids,
                lengths=self._main_len,
                terms=list(self._vocab),  # insertion order is column order
                params={"k1": self.k1, "b": self.b},
                delta=self._delta_record(),
                token=token,
                sources=() if source is None else (source,),
            )
            self._main_file = (token, source)

    @classmethod
    def load(cls, directory: Path) -> Bm25Index | None:
        """The live snapshot of `directory`; None when nothing was saved there yet."""
        return load_current(directory, cls.load_from)

    @classmethod
    def load_from(cls, folder: Path) -> Bm25Index:
        """Load from a folder written by `save_to` (IndexMismatchError if damaged)."""
        stored = read_keyword_files(folder)
        index = cls(k1=float(stored.params["k1"]), b=float(stored.params["b"]))
        index._vocab = {term: col for col, term in enumerate(stored.terms)}
        index._install(stored.matrix, stored.ids, stored.lengths)
        if stored.token is not None:
            index._main_file = (stored.token, folder)
        if stored.delta is not None:
            index._apply_delta(stored.delta)
        return index

    # -- internals ------------------------------------------------------------------

    def _add_one(self, doc_id: int, terms: list[str]) -> None:
        counts = Counter(terms)
        cols = np.fromiter(
            (self._vocab.setdefault(t, len(self._vocab)) for t in counts), np.int64, len(counts)
        )
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        self._put_pending(doc_id, cols, tf, len(terms))

    def _put_pending(self, doc_id: int, cols: np.ndarray, tf: np.ndarray, length: int) -> None:
        if len(self._vocab) > len(self._df):
            grown = np.zeros(max(len(self._vocab), 2 * len(self._df)), dtype=np.int64)
            grown[: len(self._df)] = self._df
            self._df = grown
        self._df[cols] += 1
        self._pending[doc_id] = (cols, tf, length)
        self._live += 1
        self._total_len += length

    def _delta_record(self) -> KeywordDelta:
        """The pending segment (in order) and the tombstoned main rows, for a save."""
        entries = list(self._pending.values())
        sizes = np.fromiter((len(cols) for cols, _, _ in entries), np.int64, len(entries))
        empty = np.zeros(0, dtype=np.int64)
        return KeywordDelta(
            ids=np.fromiter(self._pending, dtype=np.int64, count=len(entries)),
            lengths=np.fromiter((n for _, _, n in entries), np.int64, len(entries)),
            indptr=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            cols=np.concatenate([cols for cols, _, _ in entries]) if entries else empty,
            tfs=np.concatenate([tf for _, tf, _ in entries])
            if entries
            else empty.astype(np.float32),
            dead_rows=np.flatnonzero(~self._alive),
        )

    def _apply_delta(self, delta: KeywordDelta) -> None:
        """Replay a saved delta on the freshly installed main matrix it was saved with."""
        if len(delta.dead_rows):
            self._remove_locked(self._main_ids[delta.dead_rows])
        bounds = delta.indptr.tolist()
        for row, doc_id in enumerate(delta.ids.tolist()):
            start, end = bounds[row], bounds[row + 1]
            cols = delta.cols[start:end]
            tf = delta.tfs[start:end]
            self._put_pending(doc_id, cols, tf, int(delta.lengths[row]))

    def _remove_locked(self, ids: IdArray) -> int:
        removed = 0
        dead_rows = []
        for doc_id in ids.tolist():
            if doc_id in self._pending:
                cols, _, length = self._pending.pop(doc_id)
                self._df[cols] -= 1
                self._total_len -= length
                self._delta = None
            elif doc_id in self._row_of:
                dead_rows.append(self._row_of.pop(doc_id))
            else:
                continue
            removed += 1
        if dead_rows:
            rows = np.asarray(dead_rows, dtype=np.int64)
            self._alive[rows] = False
            self._total_len -= int(self._main_len[rows].sum())
            dead = np.zeros(len(self._alive), dtype=bool)
            dead[rows] = True
            hit = np.flatnonzero(dead[self._main.indices])
            # Stored entry e belongs to column j for indptr[j] <= e < indptr[j + 1].
            hit_cols = np.searchsorted(self._main.indptr, hit, side="right") - 1
            np.subtract.at(self._df, hit_cols, 1)
            self._delta = None
        self._live -= removed
        return removed

    def _maybe_rebuild(self) -> None:
        main_rows = len(self._main_ids)
        dead = main_rows - len(self._row_of)
        if len(self._pending) > max(_MIN_PENDING, _PENDING_SHARE * main_rows) or (
            dead > _DEAD_SHARE * main_rows
        ):
            self._rebuild()

    def _rebuild(self) -> None:
        """One main matrix of live documents: pending merged, tombstones dropped."""
        keep = np.flatnonzero(self._alive)
        if len(keep) == len(self._alive) and not self._pending:
            return
        width = len(self._vocab)
        main = sp.csc_array(self._main[keep] if len(keep) < len(self._alive) else self._main)
        main.resize((len(keep), width))  # terms first seen in pending documents
        delta, delta_ids, delta_len = self._pending_matrix()
        merged = sp.vstack([main, delta], format="csc", dtype=np.float32)
        ids = np.concatenate([self._main_ids[keep], delta_ids])
        lengths = np.concatenate([self._main_len[keep], delta_len])
        self._pending = {}
        self._install(merged, ids, lengths)

    def _install(self, matrix: sp.csc_array, ids: IdArray, lengths: np.ndarray) -> None:
        matrix.sort_indices()
        self._main_file = None  # no saved file holds this matrix yet
        self._main = matrix
        self._main_ids = ids
        self._main_len = lengths.astype(np.float32)
        self._alive = np.ones(len(ids), dtype=bool)
        self._row_of = dict(zip(ids.tolist(), range(len(ids)), strict=True))
        # In a CSC matrix the stored entries per column are the document frequencies.
        self._df = np.zeros(max(len(self._vocab), 1), dtype=np.int64)
        self._df[: matrix.shape[1]] = np.diff(matrix.indptr)
        self._live = len(ids)
        self._total_len = int(lengths.sum())
        self._delta = None

    def _pending_matrix(self) -> tuple[sp.csc_array, IdArray, np.ndarray]:
        width = len(self._vocab)
        if not self._pending:
            empty = sp.csc_array((0, width), dtype=np.float32)
            return empty, np.zeros(0, np.int64), np.zeros(0, np.float32)
        entries = list(self._pending.values())
        rows = np.repeat(np.arange(len(entries)), [len(cols) for cols, _, _ in entries])
        cols = np.concatenate([cols for cols, _, _ in entries])
        data = np.concatenate([tf for _, tf, _ in entries])
        matrix = sp.csc_array((data, (rows, cols)), shape=(len(entries), width))
        matrix.sort_indices()  # `_score_subset` binary-searches each column's rows
        ids = np.fromiter(self._pending, dtype=np.int64, count=len(entries))
        lengths = np.array([length for _, _, length in entries], dtype=np.float32)
        return matrix, ids, lengths

    def _stats(self) -> Bm25Stats:
        avgdl = max(self._total_len / self._live, 1e-9)
        return Bm25Stats(k1=self.k1, b=self.b, live=self._live, avgdl=avgdl, df=self._df)

    def _score_subset(self, cols: list[int], ids: IdArray) -> tuple[np.ndarray, IdArray]:
        """BM25 of the live documents among sorted unique `ids`, with `_score`'s arithmetic
        term by term (so the same float32 scores), reading only their postings."""
        if self._delta is None:
            self._delta = self._pending_matrix()
        delta, delta_ids, delta_len = self._delta
        main_rows = np.fromiter((self._row_of.get(i, -1) for i in ids.tolist()), np.int64)
        main_rows = np.sort(main_rows[main_rows >= 0])
        delta_rows = np.flatnonzero(np.isin(delta_ids, ids))
        parts = ((self._main, self._main_len, main_rows), (delta, delta_len, delta_rows))
        scored = score_rows(cols, self._stats(), parts)
        row_ids = np.concatenate([self._main_ids[main_rows], delta_ids[delta_rows]])
        return np.concatenate(scored), row_ids

    def _score(self, cols: list[int]) -> tuple[np.ndarray, IdArray, np.ndarray]:
        """BM25 of every row (main, then pending) for these term columns."""
        if self._delta is None:
            self._delta = self._pending_matrix()
        delta, delta_ids, delta_len = self._delta
        stats = self._stats()
        main_norms = self._main_norms(stats)
        scores = score_all(
            cols, stats, main=self._main, main_norms=main_norms, delta=delta, delta_len=delta_len
        )
        if len(delta_ids) == 0:  # read-only views: no 9 MB of copies per query at 1M
            return scores, self._main_ids, self._alive
        row_ids = np.concatenate([self._main_ids, delta_ids])
        alive = np.concatenate([self._alive, np.ones(len(delta_ids), dtype=bool)])
        return scores, row_ids, alive

    def _main_norms(self, stats: Bm25Stats) -> np.ndarray:
        """Length normalisation of every main row, kept while avgdl and the main matrix
        stay (same float32 values as computing it per posting; BM25 at 1M chunks: 8.5
        instead of 11 ms a query)."""
        cached = self._norms
        if cached is None or cached[0] != stats.avgdl or cached[1] is not self._main_len:
            norms = stats.norms(self._main_len)
            cached = self._norms = (stats.avgdl, self._main_len, norms)
        return cached[2]
