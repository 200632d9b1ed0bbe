"""The vector index manifest: what built the vectors, so a mismatch is caught on load."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.errors import IndexMismatchError
from index.model_resolve import model_identity
from index.snapshot import current_snapshot

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
_REINDEX_HINT = "Run a full re-index (newsbot reindex --full)."


@dataclass(frozen=True)
class Manifest:
    """Beside the FAISS file. `params` holds kind-specific settings (nlist, nprobe)."""

    model_name: str
    dimension: int
    count: int
    kind: str  # "flat" | "ivf"
    built_at: str  # ISO 8601, UTC
    format_version: int = FORMAT_VERSION
    params: dict[str, Any] = field(default_factory=dict)


def new_manifest(
    *, model_name: str, dimension: int, count: int, kind: str, params: dict[str, Any]
) -> Manifest:
    return Manifest(
        model_name=model_name,
        dimension=dimension,
        count=count,
        kind=kind,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        params=dict(params),
    )


def write_manifest(folder: Path, manifest: Manifest) -> None:
    text = json.dumps(asdict(manifest), indent=2, sort_keys=True)
    (folder / MANIFEST_NAME).write_text(text + "\n", encoding="utf-8")


def read_manifest_file(folder: Path) -> Manifest:
    """Parse `folder/manifest.json`; a damaged or foreign file is an IndexMismatchError."""
    try:
        raw = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        manifest = Manifest(
            model_name=str(raw["model_name"]),
            dimension=int(raw["dimension"]),
            count=int(raw["count"]),
            kind=str(raw["kind"]),
            built_at=str(raw["built_at"]),
            format_version=int(raw["format_version"]),
            params=dict(raw.get("params", {})),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexMismatchError(
            f"The saved index manifest is unreadable. {_REINDEX_HINT}"
        ) from exc
    if manifest.format_version > FORMAT_VERSION:
        raise IndexMismatchError(
            f"The saved index has a newer format ({manifest.format_version}). {_REINDEX_HINT}"
        )
    return manifest


def read_manifest(directory: Path) -> Manifest | None:
    """The live manifest of an index directory (or of a plain snapshot folder); None if none."""
    if (directory / MANIFEST_NAME).is_file():
        return read_manifest_file(directory)
    folder = current_snapshot(directory)
    if folder is None:
        return None
    return read_manifest_file(folder)


def check_manifest(manifest: Manifest, *, expected_model: str, expected_dimension: int) -> None:
    """Refuse vectors built by another model: mixing them would make search meaningless."""
    same_model = model_identity(manifest.model_name) == model_identity(expected_model)
    if not same_model or manifest.dimension != expected_dimension:
        raise IndexMismatchError(
            f"The saved index was built with {manifest.model_name} "
            f"({manifest.dimension} dimensions), but {expected_model} "
            f"({expected_dimension} dimensions) is configured. {_REINDEX_HINT}"
        )
