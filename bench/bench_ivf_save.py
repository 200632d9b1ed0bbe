"""Saving an IVF index of 300k vectors after adding 1k: whole file against delta.

The base is an IVF-Flat index of random unit vectors (384-d, the kind a full build picks
above 200k; random vectors say nothing of recall, but saving does not care), built once
under `data/bench/` and loaded for the run. Each round adds 1k new vectors, then saves
the same index twice into fresh directories on the same disk, in alternating order:
incrementally (the main file linked, `vectors-delta.npz` written) and whole (as every IVF
save did before: the save path of an index with no main file to link). Reported: seconds
per save (fsync included, as `write_snapshot` does), bytes written through write(2)
(`wchar` of /proc/self/io) and new bytes on disk (files not linked), and their ratios.
Target: the incremental save at least 5x faster than the whole one (its fixed costs,
~20 ms here, dominate; the bytes ratio is ~150x).

    python bench/bench_ivf_save.py [--count N] [--added N] [--rounds N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from common import BENCH_CACHE, cpu_note, emit, median, verdict

from index.snapshot import current_snapshot, current_snapshot_or_none
from index.vectors import FaissVectorIndex

NAME = "ivf_save"
TARGET = 5.0
DIMENSION = 384
MODEL = "bench-random"
VERSION = 1  # of the cached base: bump when the generator changes


def unit_rows(rng: np.random.Generator, count: int) -> np.ndarray:
    rows = rng.standard_normal((count, DIMENSION), dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def cached_base(count: int) -> Path:
    """The index directory of the base, building and saving it first when not cached."""
    directory = BENCH_CACHE / f"ivf-save-base-{count}-v{VERSION}"
    if current_snapshot_or_none(directory) is None:
        shutil.rmtree(directory, ignore_errors=True)
        print(f"  building the base IVF index (cached in {directory})", flush=True)
        started = time.perf_counter()
        rng = np.random.default_rng(1)
        ids = np.arange(count, dtype=np.int64)
        index = FaissVectorIndex.build(ids, unit_rows(rng, count))
        index.save(directory, model_name=MODEL)
        print(f"  built and saved in {time.perf_counter() - started:.0f} s", flush=True)
    return directory


def written_chars() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    return 0


def new_bytes(directory: Path) -> int:
    """Bytes of the live snapshot's files that are not links to an earlier snapshot's."""
    folder = current_snapshot(directory)
    assert folder is not None
    stats = [path.stat() for path in folder.iterdir() if path.is_file()]
    return sum(stat.st_size for stat in stats if stat.st_nlink == 1)


def save(index: FaissVectorIndex, directory: Path, *, whole: bool) -> dict[str, float]:
    """One save into `directory`: seconds, bytes through write(2), new bytes on disk."""
    kept = index._base  # the main file to link: none makes the save write it whole
    if whole:
        index._base = None
    chars = written_chars()
    started = time.perf_counter()
    try:
        index.save(directory, model_name=MODEL)
    finally:
        if whole:
            index._base = kept
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "written": written_chars() - chars, "new": new_bytes(directory)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--added", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    base_dir = cached_base(args.count)
    print(f"machine: {cpu_note()}")
    started = time.perf_counter()
    index = FaissVectorIndex.load(base_dir, expected_model=MODEL, expected_dimension=DIMENSION)
    assert index is not None
    assert index.kind == "ivf"
    print(
        f"base: IVF-Flat, {len(index):,} x {DIMENSION} random unit vectors, nprobe "
        f"{index.nprobe}; loaded (whole file) in {time.perf_counter() - started:.2f} s"
    )
    rng = np.random.default_rng(2)
    results: dict[str, list[dict[str, float]]] = {"incremental": [], "whole": []}
    BENCH_CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ivf-save-", dir=BENCH_CACHE) as tmp:
        for round_no in range(args.rounds):
            first = 10**9 + round_no * args.added
            ids = np.arange(first, first + args.added, dtype=np.int64)
            index.add(ids, unit_rows(rng, args.added))
            order = ["incremental", "whole"] if round_no % 2 == 0 else ["whole", "incremental"]
            for mode in order:
                # Fresh directories: the whole save must not find the last one to replace.
                target = Path(tmp) / f"{mode}-{round_no}"
                results[mode].append(save(index, target, whole=mode == "whole"))
            inc, whole = results["incremental"][-1], results["whole"][-1]
            print(
                f"round {round_no + 1} ({len(index):,} vectors, {args.added * (round_no + 1):,}"
                f" added since the main file): incremental {inc['seconds']:.3f} s, "
                f"{inc['written'] / 1e6:.1f} MB written, {inc['new'] / 1e6:.1f} MB new; whole "
                f"{whole['seconds']:.2f} s, {whole['written'] / 1e6:.1f} MB written"
            )
            for mode in order:
                shutil.rmtree(Path(tmp) / f"{mode}-{round_no}")
        index.save(Path(tmp) / "reload", model_name=MODEL)
        started = time.perf_counter()
        loaded = FaissVectorIndex.load(
            Path(tmp) / "reload", expected_model=MODEL, expected_dimension=DIMENSION
        )
        assert loaded is not None
        assert len(loaded) == len(index)
        print(f"load with the last delta: {time.perf_counter() - started:.2f} s")
    seconds = {mode: median([r["seconds"] for r in runs]) for mode, runs in results.items()}
    written = {mode: median([r["written"] for r in runs]) for mode, runs in results.items()}
    time_ratio = seconds["whole"] / seconds["incremental"]
    bytes_ratio = written["whole"] / max(1.0, written["incremental"])
    print(
        f"whole / incremental: time {time_ratio:.1f}x ({seconds['whole']:.2f} s vs "
        f"{seconds['incremental']:.3f} s), bytes written {bytes_ratio:.0f}x "
        f"({written['whole'] / 1e6:.0f} MB vs {written['incremental'] / 1e6:.1f} MB); "
        f"target time >= {TARGET:.0f}x: {verdict(time_ratio >= TARGET)}"
    )
    emit(
        NAME,
        {
            "count": len(index),
            "added_per_round": args.added,
            "rounds": {
                m: [{k: round(v, 4) for k, v in r.items()} for r in runs]
                for m, runs in results.items()
            },
            "time_ratio": round(time_ratio, 2),
            "bytes_ratio": round(bytes_ratio, 1),
            "target": TARGET,
            "ok": time_ratio >= TARGET,
        },
    )


if __name__ == "__main__":
    main()
