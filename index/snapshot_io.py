"""The index directory as one unit: the vector and keyword indexes saved and loaded together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.keyword import Bm25Index
from index.snapshot import load_current, write_snapshot
from index.vectors import FaissVectorIndex


@dataclass(frozen=True)
class IndexPair:
    """The two searchable indexes over the same chunk ids."""

    vectors: FaissVectorIndex
    keywords: Bm25Index


def save_pair(directory: Path, pair: IndexPair, *, model_name: str) -> Path:
    """Write both indexes into one new snapshot and swap it in atomically."""

    def writer(folder: Path) -> None:
        pair.vectors.save_to(folder, model_name=model_name)
        pair.keywords.save_to(folder)

    return write_snapshot(directory, writer)


def load_pair(
    directory: Path, *, model_name: str, dimension: int, threads: int = 2
) -> IndexPair | None:
    """Both indexes from the live snapshot; None when nothing was saved yet.

    Raises IndexMismatchError when the snapshot was built with another model or dimension.
    """

    def loader(folder: Path) -> IndexPair:
        vectors = FaissVectorIndex.load_from(
            folder, expected_model=model_name, expected_dimension=dimension, threads=threads
        )
        return IndexPair(vectors=vectors, keywords=Bm25Index.load_from(folder))

    return load_current(directory, loader)


def empty_pair(dimension: int, *, threads: int = 2) -> IndexPair:
    return IndexPair(vectors=FaissVectorIndex(dimension, threads=threads), keywords=Bm25Index())
