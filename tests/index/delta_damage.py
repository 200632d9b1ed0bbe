"""Damaging the delta file of a saved snapshot, the same ways for every index kind."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def damage_delta(delta: Path, damage: str, *, field: str, value: np.ndarray) -> None:
    """ "garbage": not an npz; "missing": gone; anything else: `field` replaced by `value`."""
    if damage == "garbage":
        delta.write_bytes(b"garbage")
    elif damage == "missing":
        delta.unlink()
    else:
        with np.load(delta) as arrays:
            fields = {name: arrays[name] for name in arrays.files}
        fields[field] = value
        delta.unlink()  # a fresh file: the old one may be hard-linked into another snapshot
        with open(delta, "wb") as handle:
            np.savez(handle, **fields)
