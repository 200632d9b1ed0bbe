"""The FAISS vector index: int64 chunk ids, normalised vectors, inner product (= cosine).

Two kinds, chosen by size when a full set is built (`FaissVectorIndex.build`):

- below `approximate_threshold` (200k) vectors, "flat": exact, ~10-30 ms per query at
  100-200k on two cores, supports add/remove/lookup by id.
- above it, "ivf" (IVF-Flat, nlist ≈ 4·sqrt(n), nprobe = nlist/16): approximate, removes
  ids natively, reads stored vectors by id through an id map. Why IVF rather than HNSW,
  and its measured recall: `index/faiss_kinds.py`.

An index grown by `add` keeps its kind; `needs_rebuild()` says when rebuilding
(`FaissVectorIndex.build(*index.export())`) would change the kind or refresh stale IVF
centroids (the rule is `needs_rebuild` in `index/faiss_kinds.py`).

Filtered search (`allowed_ids`) scores small allowed sets exactly and searches larger ones
with an IDSelector: the routes and where they cross are in `index/faiss_filtered.py`.

Saved as a snapshot (`index/snapshot.py`): `vectors.faiss` + `manifest.json`, checked on
load by `index/vector_files.py`, which also writes them: an index (either kind) changed
little since it was loaded or last saved links its unchanged main file and writes only
`vectors-delta.npz` (1k vectors added to an IVF of 300k: 1.6 MB written, not 473 MB).
"""

from __future__ import annotations

import threading
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

from index.faiss_filtered import DIRECT, filtered_route, search_selected, top_k_exact
from index.faiss_kinds import (
    DEFAULT_APPROXIMATE_THRESHOLD,
    FLAT,
    IVF,
    build_ivf,
    check_batch,
    flat_storage,
    ivf_storage,
    ivf_vectors,
    needs_rebuild,
    new_flat,
    normalised,
    pad_missing,
    sorted_unique,
)
from index.manifest import Manifest, new_manifest, write_manifest
from index.protocols import FloatMatrix, IdArray
from index.snapshot import load_current, write_snapshot
from index.vector_delta import MainFile
from index.vector_files import FILE_PARAMS, read_vectors, write_vectors


class FaissVectorIndex:
    """Implements `VectorIndex`. Methods are serialised by a lock (FAISS is not safe to
    search while another thread adds)."""

    def __init__(self, dimension: int, *, threads: int = 2) -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be positive, got {dimension}")
        self._init(new_flat(dimension), kind=FLAT, params={}, threads=threads)

    def _init(self, index: faiss.Index, *, kind: str, params: dict[str, int], threads: int) -> None:
        if threads <= 0:
            raise ValueError(f"threads must be positive, got {threads}")
        faiss.omp_set_num_threads(threads)  # process-wide: keep FAISS within its cores
        self._index = index
        self._kind = kind
        self._params = dict(params)
        self._lock = threading.RLock()
        self._positions: tuple[IdArray, IdArray] | None = None  # flat: (sorted ids, rows)
        self._base: MainFile | None = None  # the saved main file, for small saves

    # -- construction ---------------------------------------------------------------

    @classmethod
    def build(
        cls,
        ids: IdArray,
        vectors: FloatMatrix,
        *,
        approximate_threshold: int = DEFAULT_APPROXIMATE_THRESHOLD,
        nprobe: int | None = None,
        threads: int = 2,
    ) -> FaissVectorIndex:
        """A new index over a full set: flat below `approximate_threshold`, else IVF."""
        if vectors.ndim != 2:
            raise ValueError("vectors must be a 2-D array (n, dimension)")
        ids, vectors = check_batch(ids, vectors, vectors.shape[1])
        if len(ids) < max(1, approximate_threshold):
            index = cls(vectors.shape[1], threads=threads)
            index.add(ids, vectors)
            return index
        faiss.omp_set_num_threads(threads)  # training is the heavy part
        ivf, params = build_ivf(ids, vectors, nprobe=nprobe)
        built = cls.__new__(cls)
        built._init(ivf, kind=IVF, params=params, threads=threads)
        return built

    @classmethod
    def load(
        cls, directory: Path, *, expected_model: str, expected_dimension: int, threads: int = 2
    ) -> FaissVectorIndex | None:
        """The live snapshot of `directory`; None when nothing was saved there yet.

        Raises IndexMismatchError when it was built by another model or dimension, or is
        damaged; its message tells the user to run a full re-index.
        """
        return load_current(
            directory,
            lambda folder: cls.load_from(
                folder,
                expected_model=expected_model,
                expected_dimension=expected_dimension,
                threads=threads,
            ),
        )

    @classmethod
    def load_from(
        cls, folder: Path, *, expected_model: str, expected_dimension: int, threads: int = 2
    ) -> FaissVectorIndex:
        """Load from a plain folder written by `save_to` (no CURRENT pointer involved)."""
        index, manifest, base = read_vectors(
            folder, expected_model=expected_model, expected_dimension=expected_dimension
        )
        params = {k: v for k, v in manifest.params.items() if k not in FILE_PARAMS}
        loaded = cls.__new__(cls)
        loaded._init(index, kind=manifest.kind, params=params, threads=threads)
        loaded._base = base
        return loaded

    # -- persistence ----------------------------------------------------------------

    def save(self, directory: Path, *, model_name: str) -> None:
        """Write a new snapshot of `directory` atomically (see `index/snapshot.py`)."""
        write_snapshot(directory, lambda folder: self.save_to(folder, model_name=model_name))

    def save_to(self, folder: Path, *, model_name: str) -> Manifest:
        """Write the vector files and `manifest.json` into an existing folder (not atomic)."""
        with self._lock:
            files, self._base = write_vectors(folder, self._index, self._kind, self._base)
            manifest = new_manifest(
                model_name=model_name,
                dimension=self.dimension,
                count=len(self),
                kind=self._kind,
                params={**self._params, **files},
            )
        write_manifest(folder, manifest)
        return manifest

    # -- VectorIndex ----------------------------------------------------------------

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def nprobe(self) -> int | None:
        return int(self._index.nprobe) if self._kind == IVF else None

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        if self._kind != IVF:
            raise ValueError("nprobe applies to the ivf kind only")
        with self._lock:
            self._index.nprobe = max(1, min(int(value), self._params["nlist"]))
            self._params["nprobe"] = int(self._index.nprobe)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: IdArray, vectors: FloatMatrix) -> None:
        """Add vectors; an id already present is replaced (an updated chunk)."""
        ids, vectors = check_batch(ids, vectors, self.dimension)
        if len(ids) == 0:
            return
        with self._lock:
            if self._kind == IVF:  # the id map finds them: no scan of all ids
                self._remove_locked(ids)
            else:
                present = np.isin(ids, self._ids_locked())
                if present.any():
                    self._remove_locked(ids[present])
            self._index.add_with_ids(vectors, ids)
            self._positions = None

    def remove(self, ids: IdArray) -> int:
        """Remove these ids (absent ones are ignored); return how many were removed."""
        ids = np.unique(np.asarray(ids, dtype=np.int64).ravel())
        if len(ids) == 0:
            return 0
        with self._lock:
            return self._remove_locked(ids)

    def ids(self) -> IdArray:
        """All ids held, sorted."""
        with self._lock:
            return np.sort(self._ids_locked())

    def search(
        self, queries: FloatMatrix, k: int, allowed_ids: IdArray | None = None
    ) -> tuple[FloatMatrix, IdArray]:
        """Top-k (scores, ids), shape (n_queries, k); missing slots are (-inf, -1).

        A single query of shape (dimension,) is accepted and treated as one row.
        """
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        queries = normalised(np.atleast_2d(np.asarray(queries, dtype=np.float32)))
        if queries.shape[1] != self.dimension:
            raise ValueError(f"queries have dimension {queries.shape[1]}, not {self.dimension}")
        with self._lock:
            if allowed_ids is None:
                return pad_missing(*self._index.search(queries, k))
            allowed = sorted_unique(allowed_ids)
            if len(allowed) == 0 or len(self) == 0:
                return top_k_exact(queries, queries[:0], allowed[:0], k)
            if filtered_route(self._kind, len(allowed), len(self)) == DIRECT:
                return self._search_direct(queries, k, allowed)
            selected = search_selected(self._index, self._kind, self._params, queries, k, allowed)
            return pad_missing(*selected)

    # -- maintenance ----------------------------------------------------------------

    def export(self) -> tuple[IdArray, FloatMatrix]:
        """Copies of all (ids, vectors), sorted by id: the input of a rebuild."""
        with self._lock:
            if self._kind == FLAT:
                ids, vectors = flat_storage(self._index)
                ids, vectors = ids.copy(), vectors.copy()
            else:
                ids, vectors = ivf_storage(self._index, with_vectors=True)
        order = np.argsort(ids, kind="stable")
        return ids[order], vectors[order]

    def vectors_of(self, ids: IdArray) -> tuple[IdArray, FloatMatrix]:
        """Copies of the stored vectors of `ids`, sorted by id; ids not held are left out."""
        wanted = sorted_unique(ids)
        with self._lock:
            if self._kind == FLAT:
                present, rows = self._flat_rows(wanted)
                found, vectors = wanted[present], flat_storage(self._index)[1][rows].copy()
            else:
                found, vectors = ivf_vectors(self._index, wanted)
        order = np.argsort(found, kind="stable")
        return found[order], vectors[order]

    def needs_rebuild(self, approximate_threshold: int = DEFAULT_APPROXIMATE_THRESHOLD) -> bool:
        """True when `build(*export())` would switch kind or retrain drifted IVF lists."""
        return needs_rebuild(self._kind, len(self), self._params, approximate_threshold)

    # -- internals ------------------------------------------------------------------

    def _ids_locked(self) -> IdArray:
        if self._kind == FLAT:
            return faiss.vector_to_array(self._index.id_map)
        return ivf_storage(self._index, with_vectors=False)[0]

    def _remove_locked(self, ids: IdArray) -> int:
        if self._base is not None:
            self._base.mark_dead(ids)
        if self._kind == IVF:  # the id map removes exactly these (it needs an array)
            removed = int(self._index.remove_ids(faiss.IDSelectorArray(ids)))
        else:
            removed = int(self._index.remove_ids(faiss.IDSelectorBatch(ids)))
        self._positions = None
        return removed

    def _flat_rows(self, wanted: IdArray) -> tuple[npt.NDArray[np.bool_], IdArray]:
        """For sorted unique `wanted` ids: which are held, and their storage rows."""
        ids_by_row = flat_storage(self._index)[0]
        if len(ids_by_row) == 0:
            return np.zeros(len(wanted), dtype=bool), np.empty(0, dtype=np.int64)
        if self._positions is None:
            order = np.argsort(ids_by_row, kind="stable")  # near-linear: ids mostly ascend
            self._positions = (ids_by_row[order], order)
        sorted_ids, rows = self._positions
        slot = np.minimum(np.searchsorted(sorted_ids, wanted), len(sorted_ids) - 1)
        present = sorted_ids[slot] == wanted
        return present, rows[slot[present]]

    def _search_direct(
        self, queries: FloatMatrix, k: int, allowed: IdArray
    ) -> tuple[FloatMatrix, IdArray]:
        if self._kind == FLAT:
            present, rows = self._flat_rows(allowed)
            vectors = flat_storage(self._index)[1]
            return top_k_exact(queries, vectors[rows], allowed[present], k)
        found, vectors = ivf_vectors(self._index, allowed)
        return top_k_exact(queries, vectors, found, k)
