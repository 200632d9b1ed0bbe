"""The pending segment of the BM25 index: documents added since its main matrix was last
rebuilt, kept per document (term columns, raw frequencies, length) so a remove is cheap
and a save writes them as they are (`KeywordDelta` in `index/keyword_store.py`).

A batch is counted in bulk (`count_terms`): one Counter per document, then the columns and
frequencies of the whole batch as two arrays that each document's entry is a view of.
Columns and entries come out in the order the former one-document-at-a-time loop gave
(terms in order of first appearance), so the term list and the saved files are unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain

import numpy as np
import scipy.sparse as sp

from index.keyword_store import KeywordDelta
from index.protocols import IdArray

# One pending document: its term columns, their frequencies (float32), its length in terms.
Entry = tuple[np.ndarray, np.ndarray, int]


@dataclass(frozen=True)
class TermCounts:
    """The documents of one batch, CSR-style: document i's term columns and frequencies
    are cols[indptr[i]:indptr[i + 1]] and tfs[...]."""

    indptr: Sequence[int]
    cols: np.ndarray  # int64
    tfs: np.ndarray  # float32
    # Terms per document, as Python ints: numpy ints would make the mean document length a
    # float64 scalar, which turns the float32 score arithmetic into float64.
    lengths: Sequence[int]

    @classmethod
    def of_delta(cls, delta: KeywordDelta) -> TermCounts:
        """The pending documents of a saved delta."""
        return cls(delta.indptr.tolist(), delta.cols, delta.tfs, delta.lengths.tolist())


def count_terms(term_lists: Sequence[Sequence[str]], vocab: dict[str, int]) -> TermCounts:
    """Count each document's terms; terms not in `vocab` are added to it, numbered on
    from its size in order of first appearance."""
    counts = [Counter(terms) for terms in term_lists]
    sizes = [len(count) for count in counts]
    total = sum(sizes)
    new = [term for term in dict.fromkeys(chain.from_iterable(counts)) if term not in vocab]
    vocab.update(zip(new, range(len(vocab), len(vocab) + len(new)), strict=True))
    cols = np.fromiter(map(vocab.__getitem__, chain.from_iterable(counts)), np.int64, total)
    tfs = np.fromiter(chain.from_iterable(count.values() for count in counts), np.float32, total)
    return TermCounts(
        indptr=[0, *accumulate(sizes)],
        cols=cols,
        tfs=tfs,
        lengths=[len(terms) for terms in term_lists],
    )


def add_document_counts(df: np.ndarray, cols: np.ndarray, width: int) -> np.ndarray:
    """Document frequencies `df` (int64, updated in place unless it must grow to `width`
    terms: then a copy at least twice as long) plus one for every column in `cols`."""
    if width > len(df):
        grown = np.zeros(max(width, 2 * len(df)), dtype=np.int64)
        grown[: len(df)] = df
        df = grown
    df[:width] += np.bincount(cols, minlength=width)
    return df


class PendingSegment:
    """Documents by id, in the order they were added."""

    def __init__(self) -> None:
        self._docs: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def extend(self, ids: Sequence[int], counts: TermCounts) -> None:
        """Add documents (ids not present: the caller removed them first)."""
        cols, tfs, bounds = counts.cols, counts.tfs, counts.indptr
        for row, doc_id in enumerate(ids):
            start, end = bounds[row], bounds[row + 1]
            self._docs[doc_id] = (cols[start:end], tfs[start:end], counts.lengths[row])

    def pop(self, doc_id: int) -> Entry | None:
        return self._docs.pop(doc_id, None)

    def ids(self) -> IdArray:
        return np.fromiter(self._docs, dtype=np.int64, count=len(self._docs))

    def as_delta(self, dead_rows: IdArray) -> KeywordDelta:
        """The documents in order, with these removed main rows, for a save."""
        entries = list(self._docs.values())
        sizes = np.fromiter((len(cols) for cols, _, _ in entries), np.int64, len(entries))
        empty = np.zeros(0, dtype=np.int64)
        return KeywordDelta(
            ids=self.ids(),
            lengths=np.fromiter((n for _, _, n in entries), np.int64, len(entries)),
            indptr=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
            cols=np.concatenate([cols for cols, _, _ in entries]) if entries else empty,
            tfs=np.concatenate([tf for _, tf, _ in entries])
            if entries
            else empty.astype(np.float32),
            dead_rows=dead_rows,
        )

    def matrix(self, width: int) -> tuple[sp.csc_array, IdArray, np.ndarray]:
        """(documents x `width` terms CSC matrix of raw frequencies, ids, float32 lengths)."""
        if not self._docs:
            empty = sp.csc_array((0, width), dtype=np.float32)
            return empty, np.zeros(0, np.int64), np.zeros(0, np.float32)
        entries = list(self._docs.values())
        rows = np.repeat(np.arange(len(entries)), [len(cols) for cols, _, _ in entries])
        cols = np.concatenate([cols for cols, _, _ in entries])
        data = np.concatenate([tf for _, tf, _ in entries])
        matrix = sp.csc_array((data, (rows, cols)), shape=(len(entries), width))
        matrix.sort_indices()  # `_score_subset` binary-searches each column's rows
        lengths = np.array([length for _, _, length in entries], dtype=np.float32)
        return matrix, self.ids(), lengths
