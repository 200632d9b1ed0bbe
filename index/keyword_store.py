"""The BM25 index on disk: `keyword.npz` (the term-frequency matrix) + `keyword.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from index.errors import IndexMismatchError
from index.protocols import IdArray

FORMAT_VERSION = 1
MATRIX_FILE = "keyword.npz"
META_FILE = "keyword.json"


@dataclass(frozen=True)
class StoredKeywordIndex:
    matrix: sp.csc_array  # documents x terms, raw term frequencies
    ids: IdArray
    lengths: np.ndarray  # terms per document
    terms: list[str]  # column order
    params: dict[str, Any]


def write_keyword_files(
    folder: Path,
    *,
    matrix: sp.csc_array,
    ids: IdArray,
    lengths: np.ndarray,
    terms: list[str],
    params: dict[str, Any],
) -> None:
    with open(folder / MATRIX_FILE, "wb") as handle:
        np.savez(
            handle,
            indptr=matrix.indptr.astype(np.int64),
            indices=matrix.indices.astype(np.int32),
            data=matrix.data.astype(np.float32),
            ids=ids.astype(np.int64),
            lengths=lengths.astype(np.float32),
        )
    meta = {
        "format_version": FORMAT_VERSION,
        "count": len(ids),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "params": params,
        "terms": terms,
    }
    (folder / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def read_keyword_files(folder: Path) -> StoredKeywordIndex:
    """Read and check both files; anything inconsistent is an IndexMismatchError."""
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        with np.load(folder / MATRIX_FILE, allow_pickle=False) as arrays:
            indptr, indices, data = arrays["indptr"], arrays["indices"], arrays["data"]
            ids, lengths = arrays["ids"], arrays["lengths"]
        terms = [str(term) for term in meta["terms"]]
        params = dict(meta["params"])
        if int(meta["format_version"]) > FORMAT_VERSION:
            raise ValueError("newer format")
        if len(ids) != int(meta["count"]) or len(lengths) != len(ids):
            raise ValueError("counts disagree")
        matrix = sp.csc_array((data, indices, indptr), shape=(len(ids), len(terms)))
        matrix.check_format(full_check=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexMismatchError(
            "The saved keyword index is damaged. Run a full re-index (newsbot reindex --full)."
        ) from exc
    return StoredKeywordIndex(
        matrix=matrix, ids=ids.astype(np.int64), lengths=lengths, terms=terms, params=params
    )
