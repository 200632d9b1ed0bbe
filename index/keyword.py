"""BM25 keyword index over chunk ids (implements `KeywordIndex`).

Storage is term-major: a scipy CSC matrix (documents x terms) of raw term frequencies, so
a query reads only the postings of its own terms. Scores are Okapi BM25 (k1 = 1.2,
b = 0.75; the arithmetic is in `index/bm25_scoring.py`); idf and length normalisation are
computed at query time from live counts, so they are exact after every add and remove.

Updates: `add` puts documents in a small pending segment (`index/keyword_pending.py`,
searched alongside the main matrix); `remove` tombstones main rows and corrects document
frequencies at once. The main matrix is rebuilt (pending merged in, tombstones dropped)
lazily, on a search or save, once the pending segment passes 1/8 of the main one or
tombstones pass 1/4, so rebuild cost stays proportional to the growth it absorbs (the
matrix arithmetic of both is in `index/keyword_main.py`).

Saved as `keyword.npz` + `keyword.json` (+ `keyword-delta.npz`, see
`index/keyword_store.py`), either as its own snapshot (`save(directory)`, atomic via
`index/snapshot.py`) or into a folder the caller commits (`save_to(folder)`), e.g. in the
same snapshot as the vector index. A save merges nothing the in-memory index would not
merge on a search: the pending segment and tombstones go to the small delta file, and
the unchanged main matrix is hard-linked from the snapshot it was loaded from or last
written to (adding 20 chunks to 20k: ~15-25 ms to save instead of ~0.2 s).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from index.bm25_scoring import Bm25Stats, no_results, score_all, score_rows, top_k
from index.keyword_main import merged_main, posting_columns
from index.keyword_pending import PendingSegment, TermCounts, add_document_counts, count_terms
from index.keyword_store import KeywordDelta, read_keyword_files, write_keyword_files
from index.protocols import FloatMatrix, IdArray
from index.snapshot import load_current, write_snapshot
from index.tokenize import tokenize

__all__ = ["Bm25Index", "tokenize"]

_PENDING_SHARE = 0.125
_DEAD_SHARE = 0.25
_MIN_PENDING = 256
_COUNT_SLICE = 4096  # documents tokenized and counted at once by `add`
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
        self._pending = PendingSegment()
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
            id_list = ids.tolist()
            for start in range(0, len(id_list), _COUNT_SLICE):  # bounded transient memory
                part = slice(start, start + _COUNT_SLICE)
                term_lists = [tokenize(text) for text in texts[part]]
                self._put_pending(id_list[part], count_terms(term_lists, self._vocab))
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
            return np.sort(np.concatenate([main, self._pending.ids()]))

    def document_frequencies(self, terms: Sequence[str]) -> list[int]:
        """Live documents holding each term (as `tokenize` gives them; 0 if never seen)."""
        with self._lock:
            cols = (self._vocab.get(term, len(self._df)) for term in terms)
            return [int(self._df[c]) if c < len(self._df) else 0 for c in cols]

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
                delta=self._pending.as_delta(dead_rows=np.flatnonzero(~self._alive)),
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

    def _put_pending(self, ids: list[int], counts: TermCounts) -> None:
        self._df = add_document_counts(self._df, counts.cols, len(self._vocab))
        self._pending.extend(ids, counts)
        self._live += len(ids)
        self._total_len += sum(counts.lengths)

    def _apply_delta(self, delta: KeywordDelta) -> None:
        """Replay a saved delta on the freshly installed main matrix it was saved with."""
        if len(delta.dead_rows):
            self._remove_locked(self._main_ids[delta.dead_rows])
        self._put_pending(delta.ids.tolist(), TermCounts.of_delta(delta))

    def _remove_locked(self, ids: IdArray) -> int:
        removed = 0
        dead_rows = []
        for doc_id in ids.tolist():
            entry = self._pending.pop(doc_id)
            if entry is not None:
                cols, _, length = entry
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
            hit_cols = posting_columns(self._main, rows, len(self._alive))
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
        pending = self._pending.matrix(width)
        merged = merged_main(self._main, self._main_ids, self._main_len, keep, pending, width)
        self._pending = PendingSegment()
        self._install(*merged)

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

    def _stats(self) -> Bm25Stats:
        avgdl = max(self._total_len / self._live, 1e-9)
        return Bm25Stats(k1=self.k1, b=self.b, live=self._live, avgdl=avgdl, df=self._df)

    def _score_subset(self, cols: list[int], ids: IdArray) -> tuple[np.ndarray, IdArray]:
        """BM25 of the live documents among sorted unique `ids`, with `_score`'s arithmetic
        term by term (so the same float32 scores), reading only their postings."""
        if self._delta is None:
            self._delta = self._pending.matrix(len(self._vocab))
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
            self._delta = self._pending.matrix(len(self._vocab))
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
