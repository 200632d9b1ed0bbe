"""The vector index's files: `vectors.faiss` beside `manifest.json`, checked when read.

A folder is refused with IndexMismatchError (whose message says to run a full re-index)
when its manifest names another model or dimension, or when the FAISS file is unreadable,
disagrees with the manifest, or is not of the kind the manifest names. The folder is one
snapshot of `index/snapshot.py`; `index/vectors.py` saves through `write_vectors` (it
writes the manifest itself) and turns what `read_vectors` returns into a `FaissVectorIndex`.

Flat indexes may be saved incrementally: `vectors.faiss` is then an unchanged main file
hard-linked from an earlier snapshot (snapshot files are never modified once committed)
and `vectors-delta.npz` holds what changed since: the main ids removed and the vectors
added after them, in row order. The manifest's params say so (`delta`, `main_count`) and
carry `main_token`, a random name of the main file, so a link is only ever made to the
very file an index was loaded from or last wrote. Loading removes the dead ids and
appends the delta, which gives the same rows in the same order as the index that was
saved. Older versions read such a snapshot as damaged (its FAISS file disagrees with
the manifest's count) and ask for a full re-index.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from index.errors import IndexMismatchError
from index.faiss_kinds import FLAT, IVF, flat_storage, with_id_map
from index.manifest import Manifest, check_manifest, read_manifest_file
from index.protocols import FloatMatrix, IdArray
from index.snapshot import link_unchanged

VECTORS_FILE = "vectors.faiss"
DELTA_FILE = "vectors-delta.npz"
# Manifest params of the incremental layout (not settings of the index).
FILE_PARAMS = ("main_token", "main_count", "delta")
_MIN_DELTA_ROWS = 1024  # added rows a save may keep in the delta file, at least


@dataclass
class FlatBase:
    """The main file a flat index was loaded from or last wrote, and which of its rows
    are still alive (the in-memory index holds those first, in the same order)."""

    token: str
    folder: Path | None  # where it was read (None: the folder written was temporary)
    ids: IdArray  # by row of the main file
    alive: np.ndarray  # bool per main row
    sorted_ids: IdArray
    order: IdArray  # rows of `sorted_ids`

    @classmethod
    def of(cls, token: str, folder: Path | None, ids: IdArray) -> FlatBase:
        order = np.argsort(ids, kind="stable")
        alive = np.ones(len(ids), dtype=bool)
        return cls(token, folder, ids.copy(), alive, ids[order], order)

    def mark_dead(self, ids: IdArray) -> None:
        if len(self.sorted_ids) == 0 or len(ids) == 0:
            return
        slot = np.minimum(np.searchsorted(self.sorted_ids, ids), len(self.sorted_ids) - 1)
        self.alive[self.order[slot[self.sorted_ids[slot] == ids]]] = False


def read_vectors(
    folder: Path, *, expected_model: str, expected_dimension: int
) -> tuple[faiss.Index, Manifest, FlatBase | None]:
    """The FAISS index of a folder written by `FaissVectorIndex.save_to`, its manifest,
    and (flat indexes with a main token) the main file it was built from."""
    manifest = read_manifest_file(folder)
    check_manifest(manifest, expected_model=expected_model, expected_dimension=expected_dimension)
    try:
        index = faiss.read_index(str(folder / VECTORS_FILE))
    except RuntimeError as exc:
        raise _damaged("its FAISS file is unreadable") from exc
    # read_index already returns the concrete class (never downcast it again: the
    # second wrapper would not own the index and the first would free it).
    expected_class = {FLAT: faiss.IndexIDMap2, IVF: faiss.IndexIVFFlat}.get(manifest.kind)
    if expected_class is None or not isinstance(index, expected_class):
        raise _damaged(f"unexpected index kind {manifest.kind!r}")
    base = None
    params = manifest.params
    if manifest.kind == FLAT and "main_token" in params:
        if index.ntotal != int(params.get("main_count", -1)):
            raise _damaged("its FAISS file does not match the manifest")
        base = FlatBase.of(str(params["main_token"]), folder, faiss.vector_to_array(index.id_map))
        if params.get("delta"):
            _apply_delta(index, base, folder / DELTA_FILE)
    if index.d != manifest.dimension or index.ntotal != manifest.count:
        raise _damaged("its FAISS file does not match the manifest")
    if manifest.kind == IVF:
        index.nprobe = int(manifest.params.get("nprobe", index.nprobe))
        with_id_map(index)  # snapshots written before the id map existed lack it
    return index, manifest, base


def write_vectors(
    folder: Path, index: faiss.Index, kind: str, base: FlatBase | None
) -> tuple[dict[str, Any], FlatBase | None]:
    """Write an index's `vectors.faiss` (and `vectors-delta.npz`) into `folder`; return the
    manifest params of the layout (FILE_PARAMS; none for IVF) and the base to keep.

    A flat index whose rows are still `base`'s live rows followed by a small tail links
    the main file and writes only the delta; past 1/8 added or 1/4 removed, or for IVF,
    the whole file is written, and a flat index then has a new base: that file.
    """
    target = folder / VECTORS_FILE
    # A file already there may be a link to a committed snapshot's: replace, never rewrite.
    target.unlink(missing_ok=True)
    (folder / DELTA_FILE).unlink(missing_ok=True)
    if kind != FLAT:
        faiss.write_index(index, str(target))
        return {}, base
    plan = None if base is None else _delta_plan(base, index, _MIN_DELTA_ROWS)
    sources = () if base is None or base.folder is None else (base.folder,)
    if base is not None and plan is not None and _link_main(target, base.token, sources):
        dead, ids, vectors = plan
        changed = bool(len(dead) or len(ids))
        if changed:
            _write_delta(folder, dead=dead, ids=ids, vectors=vectors)
        return {"main_token": base.token, "main_count": len(base.ids), "delta": changed}, base
    faiss.write_index(index, str(target))
    token = secrets.token_hex(16)
    new_base = FlatBase.of(token, None, faiss.vector_to_array(index.id_map))
    return {"main_token": token, "main_count": int(index.ntotal), "delta": False}, new_base


def _delta_plan(
    base: FlatBase, index: faiss.IndexIDMap2, min_rows: int
) -> tuple[IdArray, IdArray, FloatMatrix] | None:
    """(main ids removed, ids and vectors added after the main rows) when the flat index's
    rows are still the main file's live rows in order followed by a small tail (at most
    `min_rows` or 1/8 of the main file, and at most 1/4 of it removed); else None."""
    ids_by_row, vectors = flat_storage(index)
    keep = base.ids[base.alive]
    tail = len(ids_by_row) - len(keep)
    if tail < 0 or tail > max(min_rows, len(base.ids) // 8):
        return None
    if len(base.ids) - len(keep) > len(base.ids) // 4:
        return None
    if not np.array_equal(ids_by_row[: len(keep)], keep):  # never expected: be safe
        return None
    return base.ids[~base.alive], ids_by_row[len(keep) :].copy(), vectors[len(keep) :].copy()


def _write_delta(folder: Path, *, dead: IdArray, ids: IdArray, vectors: FloatMatrix) -> None:
    with open(folder / DELTA_FILE, "wb") as handle:
        np.savez(handle, dead=dead.astype(np.int64), ids=ids.astype(np.int64), vectors=vectors)


def _link_main(target: Path, token: str, sources: tuple[Path, ...]) -> bool:
    """Hard-link the main file named `token` from the first source folder (or the live
    snapshot of the target's directory) whose manifest names it; False when none does."""

    def names_it(folder: Path) -> bool:
        return read_manifest_file(folder).params.get("main_token") == token

    return link_unchanged(target, sources, names_it)


def _apply_delta(index: faiss.IndexIDMap2, base: FlatBase, path: Path) -> None:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            dead, ids, vectors = arrays["dead"], arrays["ids"], arrays["vectors"]
        if vectors.dtype != np.float32 or vectors.shape != (len(ids), index.d):
            raise ValueError("delta vectors have the wrong shape")
    except (OSError, ValueError, KeyError) as exc:
        raise _damaged("its vector delta file is unreadable") from exc
    if len(np.unique(dead)) != len(dead) or not np.isin(dead, base.ids).all():
        raise _damaged("its vector delta file does not match the main file")
    if len(dead):
        index.remove_ids(faiss.IDSelectorBatch(dead))
        base.mark_dead(dead)
    if len(np.unique(ids)) != len(ids) or np.isin(ids, base.ids[base.alive]).any():
        raise _damaged("its vector delta file does not match the main file")
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors), ids)


def _damaged(reason: str) -> IndexMismatchError:
    return IndexMismatchError(
        f"The saved index is damaged ({reason}). Run a full re-index (newsbot reindex --full)."
    )
