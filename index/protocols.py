"""Narrow seams of the write side: one real implementation each, plus fakes for tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors (inner product = cosine)."""

    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Passages, batched internally. Shape (len(texts), dimension)."""
        ...

    def embed_query(self, text: str) -> FloatMatrix:
        """One question. Shape (dimension,)."""
        ...


class VectorIndex(Protocol):
    """Id-mapped nearest-neighbour index over normalised vectors (ids = chunk row ids)."""

    @property
    def dimension(self) -> int: ...

    def __len__(self) -> int: ...

    def add(self, ids: IdArray, vectors: FloatMatrix) -> None: ...

    def remove(self, ids: IdArray) -> int: ...

    def ids(self) -> IdArray: ...

    def vectors_of(self, ids: IdArray) -> tuple[IdArray, FloatMatrix]:
        """Stored vectors of the ids held among `ids`, sorted by id."""
        ...

    def search(
        self, queries: FloatMatrix, k: int, allowed_ids: IdArray | None = None
    ) -> tuple[FloatMatrix, IdArray]:
        """Top-k (scores, ids) per query row; missing slots have id -1."""
        ...

    def save(self, directory: Path, *, model_name: str) -> None: ...


class KeywordIndex(Protocol):
    """Sparse lexical index (BM25) over the same chunk ids."""

    def __len__(self) -> int: ...

    def add(self, ids: IdArray, texts: Sequence[str]) -> None: ...

    def remove(self, ids: IdArray) -> int: ...

    def document_frequencies(self, terms: Sequence[str]) -> list[int]: ...

    def search(
        self, query: str, k: int, allowed_ids: IdArray | None = None
    ) -> tuple[FloatMatrix, IdArray]: ...

    def save(self, directory: Path) -> None: ...
