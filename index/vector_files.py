"""The vector index's files: `vectors.faiss` beside `manifest.json`, checked when read.

A folder is refused with IndexMismatchError (whose message says to run a full re-index)
when its manifest names another model or dimension, or when the FAISS file is unreadable,
disagrees with the manifest, or is not of the kind the manifest names. The folder is one
snapshot of `index/snapshot.py`; `index/vectors.py` saves through `write_vectors` (it
writes the manifest itself) and turns what `read_vectors` returns into a `FaissVectorIndex`.

Both kinds (flat and IVF) are saved incrementally: an unchanged main file hard-linked
from an earlier snapshot (snapshot files are never modified once committed) plus
`vectors-delta.npz` with what changed since: the main ids removed and the vectors added
(`index/vector_delta.py`). The manifest's params say so (`delta`, `main_count`,
`main_file`) and carry `main_token`, a random name of the main file, so a link is only
ever made to the very file an index was loaded from or last wrote. Loading removes the
dead ids and adds the delta, which gives the index that was saved.

With a delta, the main file is named `vectors-main.faiss` and there is no `vectors.faiss`:
older versions, which read `vectors.faiss` alone, then report the snapshot as damaged
and ask for a full re-index instead of loading the main file without its delta (its
count may well match the manifest's: 20 chunks replaced by 20). A save with nothing
changed links the main file as `vectors.faiss`, which every version reads as a whole.
Snapshots written before `main_file` existed (flat deltas beside `vectors.faiss`) load.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import faiss

from index.faiss_kinds import FLAT, IVF, with_id_map
from index.manifest import Manifest, check_manifest, read_manifest_file
from index.snapshot import link_unchanged
from index.vector_delta import (
    MainFile,
    apply_delta,
    damaged,
    main_ids,
    plan_delta,
    read_delta,
    write_delta,
)

VECTORS_FILE = "vectors.faiss"
MAIN_FILE = "vectors-main.faiss"  # the main file when a delta goes with it
DELTA_FILE = "vectors-delta.npz"
# Manifest params of the incremental layout (not settings of the index).
FILE_PARAMS = ("main_token", "main_count", "delta", "main_file")
_MIN_DELTA_ROWS = 1024  # added rows a save may keep in the delta file, at least


def read_vectors(
    folder: Path, *, expected_model: str, expected_dimension: int
) -> tuple[faiss.Index, Manifest, MainFile | None]:
    """The FAISS index of a folder written by `FaissVectorIndex.save_to`, its manifest,
    and (when the manifest has a main token) the main file it was built from."""
    manifest = read_manifest_file(folder)
    check_manifest(manifest, expected_model=expected_model, expected_dimension=expected_dimension)
    params = manifest.params
    try:
        index = faiss.read_index(str(folder / main_file_name(params)))
    except RuntimeError as exc:
        raise damaged("its FAISS file is unreadable") from exc
    # read_index already returns the concrete class (never downcast it again: the
    # second wrapper would not own the index and the first would free it).
    expected_class = {FLAT: faiss.IndexIDMap2, IVF: faiss.IndexIVFFlat}.get(manifest.kind)
    if expected_class is None or not isinstance(index, expected_class):
        raise damaged(f"unexpected index kind {manifest.kind!r}")
    if manifest.kind == IVF:
        with_id_map(index)  # snapshots written before the id map existed lack it
    base = None
    if "main_token" in params:
        if index.ntotal != int(params.get("main_count", -1)):
            raise damaged("its FAISS file does not match the manifest")
        base = MainFile.of(str(params["main_token"]), folder, main_ids(index, manifest.kind))
        if params.get("delta"):
            delta = read_delta(folder / DELTA_FILE, index, manifest.kind)
            apply_delta(index, manifest.kind, base, delta)
    if index.d != manifest.dimension or index.ntotal != manifest.count:
        raise damaged("its FAISS file does not match the manifest")
    if manifest.kind == IVF:
        index.nprobe = int(params.get("nprobe", index.nprobe))
    return index, manifest, base


def write_vectors(
    folder: Path, index: faiss.Index, kind: str, base: MainFile | None
) -> tuple[dict[str, Any], MainFile | None]:
    """Write an index's main file (and `vectors-delta.npz`) into `folder`; return the
    manifest params of the layout (FILE_PARAMS) and the main file to keep.

    An index changed little since `base` links its main file and writes only the delta;
    past 1/8 added or 1/4 removed (`index/vector_delta.py`), or with no base, the whole
    `vectors.faiss` is written, which becomes the new base.
    """
    # A file already there may be a link to a committed snapshot's: replace, never rewrite.
    for name in (VECTORS_FILE, MAIN_FILE, DELTA_FILE):
        (folder / name).unlink(missing_ok=True)
    delta = None if base is None else plan_delta(base, index, kind, _MIN_DELTA_ROWS)
    if base is not None and delta is not None:
        name = MAIN_FILE if delta.changed else VECTORS_FILE
        sources = () if base.folder is None else (base.folder,)
        if _link_main(folder / name, base.token, sources):
            params: dict[str, Any] = {
                "main_token": base.token,
                "main_count": len(base.ids),
                "delta": delta.changed,
            }
            if delta.changed:
                write_delta(folder / DELTA_FILE, delta)
                params["main_file"] = MAIN_FILE
            return params, base
    faiss.write_index(index, str(folder / VECTORS_FILE))
    token = secrets.token_hex(16)
    new_base = MainFile.of(token, None, main_ids(index, kind))
    return {"main_token": token, "main_count": int(index.ntotal), "delta": False}, new_base


def main_file_name(params: dict[str, Any]) -> str:
    """The name of a snapshot's main FAISS file, from its manifest params."""
    name = params.get("main_file", VECTORS_FILE)
    if name not in (VECTORS_FILE, MAIN_FILE):
        raise damaged(f"unexpected main file {name!r}")
    return str(name)


def _link_main(target: Path, token: str, sources: tuple[Path, ...]) -> bool:
    """Hard-link the main file named `token` as `target`, from the first source folder
    (or the live snapshot of the target's directory) whose manifest names it, whatever
    name it has there; False when none does."""
    for name in (VECTORS_FILE, MAIN_FILE):
        staged = target.with_name(name)

        def holds_it(folder: Path, name: str = name) -> bool:
            params = read_manifest_file(folder).params
            return params.get("main_token") == token and main_file_name(params) == name

        if link_unchanged(staged, sources, holds_it):
            if staged != target:
                staged.rename(target)
            return True
    return False
