"""What changed in a vector index since its main file, for saves that write only that.

A `MainFile` is the FAISS file an index was loaded from or last wrote whole, with which
of its ids are still alive in memory. `plan_delta` compares the index in memory with it
and returns a `Delta`: the main ids removed since, and the ids and vectors added since
(an updated chunk is both). It returns None when the delta would be too large to be worth
it (more added than `min_rows` or 1/8 of the main file, or over 1/4 of it removed), or
when the index is not what the main file plus a delta can rebuild; the caller then
writes the whole file again. `apply_delta` turns a freshly read main file into the index
that was saved.

The two kinds differ only in where added vectors go. Flat: the added rows follow the main
file's live rows, in order, so a loaded index has the same rows in the same order.
IVF: rows live in inverted lists; the delta records each added row's list (read from the
id map, not recomputed: a vector near two centroids could fall into the other list when
assigned in a batch of another size), and loading adds them to those very lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from index.errors import IndexMismatchError
from index.faiss_kinds import FLAT, flat_storage, ivf_storage, ivf_vectors
from index.protocols import FloatMatrix, IdArray


@dataclass
class MainFile:
    """The main file an index was loaded from or last wrote, and which of its ids are
    still alive in memory (flat: the in-memory index holds those first, in order)."""

    token: str  # random name of the file, in the manifest of every snapshot linking it
    folder: Path | None  # where it was read (None: the folder written was temporary)
    ids: IdArray  # in the file's order (flat: by row; ivf: list by list)
    alive: np.ndarray  # bool per entry of `ids`
    sorted_ids: IdArray
    order: IdArray  # positions in `ids` of `sorted_ids`

    @classmethod
    def of(cls, token: str, folder: Path | None, ids: IdArray) -> MainFile:
        order = np.argsort(ids, kind="stable")
        alive = np.ones(len(ids), dtype=bool)
        return cls(token, folder, ids.copy(), alive, ids[order], order)

    def mark_dead(self, ids: IdArray) -> None:
        if len(self.sorted_ids) == 0 or len(ids) == 0:
            return
        slot = np.minimum(np.searchsorted(self.sorted_ids, ids), len(self.sorted_ids) - 1)
        self.alive[self.order[slot[self.sorted_ids[slot] == ids]]] = False


@dataclass(frozen=True)
class Delta:
    dead: IdArray  # main ids removed
    ids: IdArray  # added since, in the order to add them
    vectors: FloatMatrix
    lists: IdArray | None  # ivf: the inverted list of each added row; flat: None

    @property
    def changed(self) -> bool:
        return bool(len(self.dead) or len(self.ids))


def main_ids(index: faiss.Index, kind: str) -> IdArray:
    """The ids of a main file just read or written, in its order."""
    if kind == FLAT:
        return faiss.vector_to_array(index.id_map)
    return ivf_storage(index, with_vectors=False)[0]


def plan_delta(base: MainFile, index: faiss.Index, kind: str, min_rows: int) -> Delta | None:
    """The delta from `base` to `index`, or None when it is too large or impossible."""
    keep = base.ids[base.alive]
    added = int(index.ntotal) - len(keep)
    if added < 0 or added > max(min_rows, len(base.ids) // 8):
        return None
    if len(base.ids) - len(keep) > len(base.ids) // 4:
        return None
    dead = base.ids[~base.alive]
    if kind == FLAT:
        ids_by_row, vectors = flat_storage(index)
        if not np.array_equal(ids_by_row[: len(keep)], keep):  # never expected: be safe
            return None
        return Delta(dead, ids_by_row[len(keep) :].copy(), vectors[len(keep) :].copy(), None)
    held = ivf_storage(index, with_vectors=False)[0]
    from_main = np.isin(held, keep)
    if int(from_main.sum()) != len(keep):  # never expected: every removal marks the base
        return None
    new_ids = np.sort(held[~from_main])
    found, vectors = ivf_vectors(index, new_ids)
    lists = np.fromiter(
        (faiss.lo_listno(index.direct_map.get(i)) for i in found.tolist()), np.int64, len(found)
    )
    return Delta(dead, found, vectors, lists)


def write_delta(path: Path, delta: Delta) -> None:
    arrays = {
        "dead": delta.dead.astype(np.int64),
        "ids": delta.ids.astype(np.int64),
        "vectors": np.ascontiguousarray(delta.vectors, dtype=np.float32),
    }
    if delta.lists is not None:
        arrays["lists"] = delta.lists.astype(np.int64)
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def read_delta(path: Path, index: faiss.Index, kind: str) -> Delta:
    """The delta file beside a main file just read; damaged when it cannot apply to it."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            dead, ids, vectors = arrays["dead"], arrays["ids"], arrays["vectors"]
            lists = None if kind == FLAT else arrays["lists"]
        if vectors.dtype != np.float32 or vectors.shape != (len(ids), index.d):
            raise ValueError("delta vectors have the wrong shape")
        if dead.dtype != np.int64 or ids.dtype != np.int64 or dead.ndim != 1 or ids.ndim != 1:
            raise ValueError("delta ids have the wrong type")
        if lists is not None and (lists.dtype != np.int64 or lists.shape != ids.shape):
            raise ValueError("delta lists have the wrong shape")
    except (OSError, ValueError, KeyError) as exc:
        raise damaged("its vector delta file is unreadable") from exc
    if lists is not None and len(lists) and not (0 <= lists.min() <= lists.max() < index.nlist):
        raise damaged("its vector delta file does not match the main file")
    return Delta(dead, ids, vectors, lists)


def apply_delta(index: faiss.Index, kind: str, base: MainFile, delta: Delta) -> None:
    """Remove the dead ids from a main file just read, then add the delta's rows."""
    dead = np.ascontiguousarray(delta.dead)
    if len(np.unique(dead)) != len(dead) or not np.isin(dead, base.ids).all():
        raise damaged("its vector delta file does not match the main file")
    if len(dead):
        # IVF with a hashtable id map removes only through an id array.
        selector = faiss.IDSelectorBatch(dead) if kind == FLAT else faiss.IDSelectorArray(dead)
        index.remove_ids(selector)
        base.mark_dead(dead)
    ids = np.ascontiguousarray(delta.ids)
    if len(np.unique(ids)) != len(ids) or np.isin(ids, base.ids[base.alive]).any():
        raise damaged("its vector delta file does not match the main file")
    if len(ids) == 0:
        return
    vectors = np.ascontiguousarray(delta.vectors)
    if delta.lists is None:
        index.add_with_ids(vectors, ids)
        return
    lists = np.ascontiguousarray(delta.lists)
    index.add_core(len(ids), faiss.swig_ptr(vectors), faiss.swig_ptr(ids), faiss.swig_ptr(lists))


def damaged(reason: str) -> IndexMismatchError:
    return IndexMismatchError(
        f"The saved index is damaged ({reason}). Run a full re-index (newsbot reindex --full)."
    )
