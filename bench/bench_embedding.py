"""Faster embedding: bfloat16 against fp32, same model, same real passages, same run.

Both are the product's `SentenceTransformerEmbedder` (precision "bf16" and "fp32") encoding
the first chunks of the bundled Wikinews sample; rounds alternate so both see the same load.
Prints passages per second, the speed ratio at the product's batch size (target: at least
3x), the ratio against fp32 at whichever of a few batch sizes suits fp32 best (a stricter
comparison: the default batch size was chosen for bf16), and the cosine of each bf16 vector
to its fp32 twin. The retrieval figures under both precisions come from
`newsbot eval realtimeqa`: when both cached eval indexes exist, they are run here and
compared (target: hits@10 and answer recall@10 within 0.01 of fp32); else the commands are
printed.

    python bench/bench_embedding.py [--passages N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from common import (
    REPO,
    bench_settings,
    chunk_texts,
    cpu_note,
    emit,
    eval_command,
    interleaved,
    load_embedder,
    realtimeqa_cache,
    sample_articles,
    shared_data,
    verdict,
)

from bot.runtime import Runtime
from index.model_resolve import choose_precision, read_cpu_flags

NAME = "embedding"
SPEED_TARGET = 3.0
QUALITY_TOLERANCE = 0.01
QUALITY_FIGURES = ("hits@10", "answer_recall@10")


def eval_figures(precision: str) -> dict[str, float] | None:
    """`newsbot eval realtimeqa` under `precision` when its index is cached, else None."""
    data_dir = REPO / "data"
    runtime = Runtime(bench_settings(data_dir, embedding_precision=precision))
    if realtimeqa_cache(runtime) is None:
        return None
    env = {**os.environ, "EMBEDDING_PRECISION": precision, "NEWSBOT_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).with_name("newsbot")), "eval", "realtimeqa"]
    done = subprocess.run(
        [*command, str(shared_data() / "realtimeqa")],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def quality(figures: dict[str, object]) -> None:
    """Compare the realtimeqa figures of both precisions, or say how to get them."""
    if not (shared_data() / "realtimeqa").is_dir():
        print(f"realtimeqa figures: skipped ({shared_data() / 'realtimeqa'} is absent)")
        return
    fp32 = eval_figures("fp32")
    bf16 = eval_figures("bf16") if fp32 is not None else None
    if fp32 is None or bf16 is None:
        print(
            "realtimeqa figures: the cached eval indexes of both precisions are needed "
            "(building one embeds ~39k chunks); get them with\n"
            f"  {eval_command('fp32')}\n  {eval_command('bf16')}"
        )
        return
    within = True
    for name in QUALITY_FIGURES:
        delta = float(bf16[name]) - float(fp32[name])
        within &= abs(delta) <= QUALITY_TOLERANCE
        print(f"realtimeqa {name}: fp32 {fp32[name]:.4f}, bf16 {bf16[name]:.4f} ({delta:+.4f})")
        figures[f"fp32_{name}"] = fp32[name]
        figures[f"bf16_{name}"] = bf16[name]
    print(f"quality target: within {QUALITY_TOLERANCE} of fp32: {verdict(within)}")
    figures["quality_ok"] = within


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=192)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--fp32-batch-sizes", default="16,64", help="other batch sizes tried for fp32"
    )
    args = parser.parse_args()

    settings = bench_settings(REPO / "data")
    passages = chunk_texts(sample_articles(), settings)[: args.passages]
    words = sum(len(p.split()) for p in passages) / len(passages)
    print(f"machine: {cpu_note()}")
    print(f"passages: {len(passages)} Wikinews chunks, {words:.0f} words on average")
    batch = settings.embedding_batch_size
    embedders = {p: load_embedder(settings, precision=p) for p in ("fp32", "bf16")}
    others = [int(size) for size in args.fp32_batch_sizes.split(",") if int(size) != batch]
    for size in others:
        embedders[f"fp32 @{size}"] = load_embedder(
            settings.model_copy(update={"embedding_batch_size": size}), precision="fp32"
        )
    for embedder in embedders.values():
        embedder.embed(passages[:16])  # warm up
    seconds = interleaved(
        {p: lambda e=e: e.embed(passages) for p, e in embedders.items()}, args.rounds
    )
    rate = {p: len(passages) / min(s) for p, s in seconds.items()}
    ratio = rate["bf16"] / rate["fp32"]
    for name, value in rate.items():
        rounds = ", ".join(f"{s:.1f} s" for s in seconds[name])
        size = "" if "@" in name else f" @{batch}"
        print(f"{name}{size}: {value:.1f} passages/s (rounds: {rounds})")
    print(f"bf16 / fp32 speed at batch size {batch}: {ratio:.2f}x; "
          f"target >= {SPEED_TARGET:.1f}x: {verdict(ratio >= SPEED_TARGET)}")  # fmt: skip
    best_fp32 = max((name for name in rate if name.startswith("fp32")), key=rate.__getitem__)
    strict = rate["bf16"] / rate[best_fp32]
    print(f"bf16 / fp32 at its best batch size ({best_fp32}): {strict:.2f}x")
    cosine = np.sum(embedders["bf16"].embed(passages) * embedders["fp32"].embed(passages), axis=1)
    print(f"cosine of bf16 to fp32 vectors: min {cosine.min():.4f}, mean {cosine.mean():.4f}")
    auto = choose_precision("auto", read_cpu_flags())
    print(f"precision 'auto' (the default) picks {auto} on this CPU")

    figures: dict[str, object] = {
        "passages": len(passages),
        "fp32_passages_per_s": round(rate["fp32"], 2),
        "bf16_passages_per_s": round(rate["bf16"], 2),
        "batch_size": batch,
        "speed_ratio": round(ratio, 3),
        "fp32_best_passages_per_s": round(rate[best_fp32], 2),
        "speed_ratio_vs_best_fp32": round(strict, 3),
        "speed_target": SPEED_TARGET,
        "speed_ok": ratio >= SPEED_TARGET,
        "cosine_min": round(float(cosine.min()), 5),
        "cosine_mean": round(float(cosine.mean()), 5),
        "auto_precision": auto,
    }
    quality(figures)
    emit(NAME, figures)


if __name__ == "__main__":
    main()
