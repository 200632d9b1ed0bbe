"""The BM25 index on disk: `keyword.npz` (the main term-frequency matrix) + `keyword.json`,
and, when documents were added or removed since the main matrix was written,
`keyword-delta.npz` (those pending documents and the main rows removed).

A save after a small change writes only the delta and the term list: the unchanged main
matrix is hard-linked from the live snapshot (snapshot files are never modified once
committed, so sharing them is safe, and removing an old snapshot removes only its link).
Each main file carries a random token, so a link is made only to the very file the index
was loaded from or last wrote; anything else (no link support, the file gone, another
file there) writes the matrix again.

Format 1 (no delta, main as wide as the term list) is what older versions wrote and read;
format 2 adds the delta file and may hold a main matrix narrower than the term list (terms
first seen in pending documents). Older versions refuse format 2 as "damaged" (their
message asks for a full re-index).
"""

from __future__ import annotations

import json
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from index.errors import IndexMismatchError
from index.protocols import IdArray
from index.snapshot import link_unchanged

FORMAT_VERSION = 2
MATRIX_FILE = "keyword.npz"
META_FILE = "keyword.json"
DELTA_FILE = "keyword-delta.npz"
_TOKEN_BYTES = 16


@dataclass(frozen=True)
class KeywordDelta:
    """Changes on top of the main matrix: documents not merged yet and main rows removed."""

    ids: IdArray  # pending documents, in order
    lengths: IdArray  # their lengths in terms
    indptr: IdArray  # CSR rows of the pending documents: term columns and frequencies
    cols: IdArray
    tfs: np.ndarray
    dead_rows: IdArray  # main rows removed since it was written, sorted

    def __len__(self) -> int:
        return len(self.ids) + len(self.dead_rows)


@dataclass(frozen=True)
class StoredKeywordIndex:
    matrix: sp.csc_array  # documents x terms (maybe fewer columns than terms), raw tf
    ids: IdArray
    lengths: np.ndarray  # terms per document
    terms: list[str]  # column order
    params: dict[str, Any]
    delta: KeywordDelta | None
    token: bytes | None  # of the main file (None in files written before tokens)


def write_keyword_files(
    folder: Path,
    *,
    matrix: sp.csc_array,
    ids: IdArray,
    lengths: np.ndarray,
    terms: list[str],
    params: dict[str, Any],
    delta: KeywordDelta | None = None,
    token: bytes | None = None,
    sources: tuple[Path, ...] = (),
) -> bytes:
    """Write the files into `folder`; return the main file's token.

    With the token of the main file the caller loaded or last wrote, that file is linked
    from the first of `sources` (folders) or the live snapshot of `folder.parent` holding
    it, instead of written again.
    """
    main = folder / MATRIX_FILE
    # A file already there may be a link to a committed snapshot's: replace, never rewrite.
    main.unlink(missing_ok=True)
    (folder / DELTA_FILE).unlink(missing_ok=True)
    if token is None or not link_unchanged(main, sources, _carries(token)):
        token = secrets.token_bytes(_TOKEN_BYTES)
        with open(main, "wb") as handle:
            np.savez(
                handle,
                indptr=matrix.indptr.astype(np.int64),
                indices=matrix.indices.astype(np.int32),
                data=matrix.data.astype(np.float32),
                ids=ids.astype(np.int64),
                lengths=lengths.astype(np.float32),
                token=np.frombuffer(token, dtype=np.uint8),
            )
    changed = delta is not None and len(delta) > 0
    version = 2 if changed or matrix.shape[1] != len(terms) else 1
    if changed:
        assert delta is not None
        with open(folder / DELTA_FILE, "wb") as handle:
            np.savez(
                handle,
                ids=delta.ids.astype(np.int64),
                lengths=delta.lengths.astype(np.int64),
                indptr=delta.indptr.astype(np.int64),
                cols=delta.cols.astype(np.int64),
                tfs=delta.tfs.astype(np.float32),
                dead_rows=delta.dead_rows.astype(np.int64),
            )
    meta = {
        "format_version": version,
        "count": len(ids),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "params": params,
        "terms": terms,
    }
    if version == 2:
        meta["delta"] = changed
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def read_keyword_files(folder: Path) -> StoredKeywordIndex:
    """Read and check the files; anything inconsistent is an IndexMismatchError."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        version = int(meta["format_version"])
        if version > FORMAT_VERSION:
            raise ValueError("newer format")
        with np.load(folder / MATRIX_FILE, allow_pickle=False) as arrays:
            indptr, indices, data = arrays["indptr"], arrays["indices"], arrays["data"]
            ids, lengths = arrays["ids"], arrays["lengths"]
            token = arrays["token"].tobytes() if "token" in arrays.files else None
        terms = [str(term) for term in meta["terms"]]
        params = dict(meta["params"])
        if len(ids) != int(meta["count"]) or len(lengths) != len(ids):
            raise ValueError("counts disagree")
        width = len(terms) if version == 1 else len(indptr) - 1
        if width > len(terms):
            raise ValueError("more matrix columns than terms")
        if len(indptr) and indptr[-1] <= np.iinfo(np.int32).max:
            indptr = indptr.astype(np.int32)  # as `indices`: scipy would copy both to int64
        matrix = sp.csc_array((data, indices, indptr), shape=(len(ids), width))
        matrix.check_format(full_check=True)
        has_delta = version >= 2 and bool(meta["delta"])
        delta = _read_delta(folder, len(ids), len(terms)) if has_delta else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexMismatchError(
            "The saved keyword index is damaged. Run a full re-index (newsbot reindex --full)."
        ) from exc
    return StoredKeywordIndex(
        matrix=matrix,
        ids=ids.astype(np.int64),
        lengths=lengths,
        terms=terms,
        params=params,
        delta=delta,
        token=token,
    )


def _read_delta(folder: Path, main_rows: int, terms: int) -> KeywordDelta:
    with np.load(folder / DELTA_FILE, allow_pickle=False) as arrays:
        delta = KeywordDelta(
            ids=arrays["ids"],
            lengths=arrays["lengths"],
            indptr=arrays["indptr"],
            cols=arrays["cols"],
            tfs=arrays["tfs"],
            dead_rows=arrays["dead_rows"],
        )
    count = len(delta.ids)
    if (
        len(delta.lengths) != count
        or len(delta.indptr) != count + 1
        or delta.indptr[0] != 0
        or np.any(np.diff(delta.indptr) < 0)
        or delta.indptr[-1] != len(delta.cols)
        or len(delta.tfs) != len(delta.cols)
        or (len(delta.cols) and not 0 <= delta.cols.min() <= delta.cols.max() < terms)
        or len(np.unique(delta.ids)) != count
        or len(np.unique(delta.dead_rows)) != len(delta.dead_rows)
        or (
            len(delta.dead_rows)
            and not 0 <= delta.dead_rows.min() <= delta.dead_rows.max() < main_rows
        )
    ):
        raise ValueError("delta file inconsistent")
    return delta


def _carries(token: bytes) -> Callable[[Path], bool]:
    """Whether a folder's main keyword file carries `token`."""

    def check(folder: Path) -> bool:
        try:
            with np.load(folder / MATRIX_FILE, allow_pickle=False) as arrays:
                return "token" in arrays.files and arrays["token"].tobytes() == token
        except zipfile.BadZipFile:  # a damaged file is simply not the one wanted
            return False

    return check
