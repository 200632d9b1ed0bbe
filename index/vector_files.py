"""The vector index's files: `vectors.faiss` beside `manifest.json`, checked when read.

A folder is refused with IndexMismatchError (whose message says to run a full re-index)
when its manifest names another model or dimension, or when the FAISS file is unreadable,
disagrees with the manifest, or is not of the kind the manifest names. The folder is one
snapshot of `index/snapshot.py`; `index/vectors.py` writes it and turns what is read here
back into a `FaissVectorIndex`.
"""

from __future__ import annotations

from pathlib import Path

import faiss

from index.errors import IndexMismatchError
from index.faiss_kinds import FLAT, IVF, with_id_map
from index.manifest import Manifest, check_manifest, read_manifest_file

VECTORS_FILE = "vectors.faiss"


def read_vectors(
    folder: Path, *, expected_model: str, expected_dimension: int
) -> tuple[faiss.Index, Manifest]:
    """The FAISS index of a folder written by `FaissVectorIndex.save_to`, and its manifest."""
    manifest = read_manifest_file(folder)
    check_manifest(manifest, expected_model=expected_model, expected_dimension=expected_dimension)
    try:
        index = faiss.read_index(str(folder / VECTORS_FILE))
    except RuntimeError as exc:
        raise _damaged("its FAISS file is unreadable") from exc
    if index.d != manifest.dimension or index.ntotal != manifest.count:
        raise _damaged("its FAISS file does not match the manifest")
    # read_index already returns the concrete class (never downcast it again: the
    # second wrapper would not own the index and the first would free it).
    expected_class = {FLAT: faiss.IndexIDMap2, IVF: faiss.IndexIVFFlat}.get(manifest.kind)
    if expected_class is None or not isinstance(index, expected_class):
        raise _damaged(f"unexpected index kind {manifest.kind!r}")
    if manifest.kind == IVF:
        index.nprobe = int(manifest.params.get("nprobe", index.nprobe))
        with_id_map(index)  # snapshots written before the id map existed lack it
    return index, manifest


def _damaged(reason: str) -> IndexMismatchError:
    return IndexMismatchError(
        f"The saved index is damaged ({reason}). Run a full re-index (newsbot reindex --full)."
    )
