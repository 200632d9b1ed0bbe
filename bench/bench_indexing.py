"""Indexing throughput: the whole ingest pipeline against a bare encode of the same chunks.

The pipeline run is what `newsbot ingest samples/wikinews/articles.jsonl` does after the
model is loaded: parse the file, store articles and chunks (SQLite), embed, add to FAISS
and BM25, and save the index snapshot, into a fresh data folder each round. The bare run
is `SentenceTransformer.encode` of exactly the chunk texts the pipeline embeds (same model,
precision and batch size). Rounds alternate so both see the same machine load; the ratio
uses the best round of each. Target: the pipeline takes at most 1.10x the bare encode.
The same ratio in CPU seconds of this process is printed beside it: other processes on the
machine stretch wall time far more than the CPU time of the work itself.

    python bench/bench_indexing.py [--rounds N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from common import (
    SAMPLES,
    BareModel,
    bench_settings,
    chunk_texts,
    cpu_note,
    emit,
    load_embedder,
    sample_articles,
    timed,
    verdict,
)

from bot.runtime import Runtime
from index.embedding import SentenceTransformerEmbedder
from index.parsing import iter_path
from index.protocols import FloatMatrix

NAME = "indexing"
TARGET = 1.10


class TimedEmbedder:
    """The real embedder, counting the seconds spent inside `embed` and its calls."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self._inner = inner
        self.seconds = 0.0
        self.calls = 0

    @property
    def model_name(self) -> str:
        return self._inner.model_name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        started = time.perf_counter()
        self.calls += 1
        try:
            return self._inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> FloatMatrix:
        return self.embed([text])[0]


def pipeline_round(embedder: TimedEmbedder, folder: Path) -> tuple[float, float, int, float, float]:
    """(seconds, of which embedding, chunks, database setup seconds, CPU seconds) of one
    full ingest."""
    runtime = Runtime(bench_settings(folder), embedder=embedder)
    _, setup = timed(lambda: runtime.engine)  # creating the schema is not ingest work
    embedder.seconds = 0.0
    embedder.calls = 0
    cpu = time.process_time()
    started = time.perf_counter()
    indexer = runtime.indexer()
    indexer.open()
    report = indexer.ingest(iter_path(SAMPLES))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    runtime.engine.dispose()
    return seconds, embedder.seconds, report.chunks_embedded, setup, cpu


def cpu_timed(action: Callable[[], object]) -> float:
    """CPU seconds of this process (all its threads) spent in `action`."""
    started = time.process_time()
    action()
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="newsbot-bench-") as tmp:
        settings = bench_settings(Path(tmp))
        embedder = load_embedder(settings)
        precision = embedder.precision
        bare = BareModel(settings, precision)
        texts = chunk_texts(sample_articles(), settings)
        print(f"machine: {cpu_note()}")
        print(
            f"corpus: {SAMPLES.relative_to(SAMPLES.parents[2])}, {len(texts)} chunks; model "
            f"{settings.embedding_model} ({precision}), batch size {settings.embedding_batch_size}"
        )
        bare.encode(texts[:64])  # warm both paths up
        embedder.embed(texts[:64])

        timing = TimedEmbedder(embedder)
        pipeline: list[tuple[float, float, int, float, float]] = []
        bare_seconds: list[float] = []
        bare_cpu: list[float] = []

        def bare_round() -> None:
            wall = time.perf_counter()
            bare_cpu.append(cpu_timed(lambda: bare.encode(texts)))
            bare_seconds.append(time.perf_counter() - wall)

        for round_no in range(args.rounds):
            # Which runs first alternates too, so neither always follows the other.
            if round_no % 2:
                bare_round()
            pipeline.append(pipeline_round(timing, Path(tmp) / f"round-{round_no}"))
            if round_no % 2 == 0:
                bare_round()
            seconds, embedding, chunks, _, cpu = pipeline[-1]
            print(
                f"round {round_no + 1}: pipeline {seconds:.2f} s ({chunks} chunks, "
                f"{embedding:.2f} s embedding in {timing.calls} calls; CPU {cpu:.2f} s), "
                f"bare encode {bare_seconds[-1]:.2f} s (CPU {bare_cpu[-1]:.2f} s)"
            )

    chunks = pipeline[0][2]
    if chunks != len(texts):
        print(f"warning: the pipeline embedded {chunks} chunks, the bare run {len(texts)}")
    best = min(pipeline, key=lambda run: run[0])
    best_bare = min(bare_seconds)
    ratio = best[0] / best_bare
    per_round = [run[0] / bare for run, bare in zip(pipeline, bare_seconds, strict=True)]
    overhead = best[0] - best[1]
    print(
        f"pipeline: {chunks / best[0]:.1f} chunks/s ({best[0]:.2f} s: embedding "
        f"{best[1]:.2f} s, parsing + storage + index writes {overhead:.2f} s; "
        f"database schema setup, not counted: {best[3]:.2f} s)"
    )
    print(f"bare encode: {len(texts) / best_bare:.1f} chunks/s ({best_bare:.2f} s)")
    # Within one run, robust to the machine's load: what the pipeline adds to its own encode.
    share = overhead / best[1]
    print(f"non-embedding work inside the pipeline: {100 * share:.1f} % of its embedding time")
    print(
        f"pipeline / bare: {ratio:.3f} (per round: {', '.join(f'{r:.3f}' for r in per_round)}); "
        f"target <= {TARGET:.2f}: {verdict(ratio <= TARGET)}"
    )
    cpu_ratio = min(run[4] for run in pipeline) / min(bare_cpu)
    print(f"pipeline / bare in CPU seconds: {cpu_ratio:.3f} (best round of each)")
    emit(
        NAME,
        {
            "precision": precision,
            "chunks": chunks,
            "pipeline_chunks_per_s": round(chunks / best[0], 2),
            "bare_chunks_per_s": round(len(texts) / best_bare, 2),
            "pipeline_embed_s": round(best[1], 3),
            "pipeline_other_s": round(overhead, 3),
            "other_share_of_embed": round(share, 3),
            "ratio": round(ratio, 3),
            "ratio_per_round": [round(r, 3) for r in per_round],
            "cpu_ratio": round(cpu_ratio, 3),
            "target": TARGET,
            "ok": ratio <= TARGET,
        },
    )


if __name__ == "__main__":
    main()
