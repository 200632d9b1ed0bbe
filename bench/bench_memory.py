"""Memory: peak RSS of the bot's serving process, next to the size of the raw vectors.

Each figure comes from a fresh child process that reads its own peak resident set size
(VmHWM in /proc/self/status) after answering a few questions:

- baseline: the model loaded and one question encoded, no index (the fixed cost);
- realtimeqa: the service built as `newsbot run` builds it (`bot.cli_run.build_service`:
  database, vector and BM25 indexes, chunk catalog, model) over the cached realtimeqa eval
  index, answering questions without an LLM (extractive answers); skipped when absent;
- 1M chunks: the synthetic 1M index of `bench/synthetic.py` (IVF + BM25 + catalog, built
  and cached in another process first) behind the same `NewsAssistant` the bot uses, with
  made-up passages instead of a database.

Raw vectors: chunks x 384 dimensions x 4 bytes (float32).

    python bench/bench_memory.py [--quick]   (--quick: skip 1M)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from common import (
    REPO,
    bench_settings,
    cpu_note,
    emit,
    load_embedder,
    realtimeqa_cache,
    rss_peak_mb,
    sample_articles,
    shared_data,
)

from bot.runtime import Runtime

NAME = "memory"
MILLION = 1_000_000
DIMENSION = 384


def questions() -> list[str]:
    return [f"What happened: {a.title}?" for a in sample_articles(8)]


async def _ask_all(assistant: object, now: datetime) -> int:
    answered = 0
    for question in questions():
        answer = await assistant.ask(question, now=now)  # type: ignore[attr-defined]
        answered += bool(answer.text)
    return answered


def child_baseline() -> dict[str, object]:
    settings = bench_settings(REPO / "data")
    embedder = load_embedder(settings)
    embedder.embed_query(questions()[0])
    return {"peak_mb": rss_peak_mb()}


def child_realtimeqa(folder: str) -> dict[str, object]:
    from bot.cli_run import build_service

    runtime = Runtime(bench_settings(Path(folder)))
    service = build_service(runtime)
    try:
        answered = asyncio.run(_ask_all(service.assistant, datetime(2022, 9, 30, tzinfo=UTC)))
        chunks = len(service.assistant.searcher.searcher.catalog)
    finally:
        service.assistant.searcher.close()
        asyncio.run(runtime.aclose())
    return {"peak_mb": rss_peak_mb(), "chunks": chunks, "answered": answered}


def child_synthetic(count: int, *, serve: bool) -> dict[str, object]:
    from synthetic import synthetic_index

    settings = bench_settings(REPO / "data")
    index = synthetic_index(
        count,
        model_name=settings.embedding_model,
        approximate_threshold=settings.approximate_index_threshold,
        threads=settings.cpu_threads,
    )
    if not serve:
        return {"built": True, "build_s": round(index.build_seconds, 1)}
    from retrieval.answering import Answerer
    from retrieval.assistant import NewsAssistant
    from retrieval.async_search import AsyncSearcher
    from retrieval.search import HybridSearcher

    embedder = load_embedder(settings)
    searcher = AsyncSearcher(
        HybridSearcher(embedder, index.vectors, index.keywords, index.catalog, index.load_passages)
    )
    assistant = NewsAssistant(searcher=searcher, answerer=Answerer(llm=None, embedder=embedder))
    try:
        answered = asyncio.run(_ask_all(assistant, datetime(2022, 7, 1, tzinfo=UTC)))
    finally:
        searcher.close()
    return {
        "peak_mb": rss_peak_mb(),
        "chunks": len(index.vectors),
        "kind": index.vectors.kind,
        "answered": answered,
    }


def run_child(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    if done.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def raw_mb(chunks: int) -> float:
    return chunks * DIMENSION * 4 / 2**20


def report_line(label: str, result: dict[str, object], baseline: float) -> dict[str, object]:
    peak = float(result["peak_mb"])  # type: ignore[arg-type]
    chunks = int(result["chunks"])  # type: ignore[call-overload]
    raw = raw_mb(chunks)
    print(
        f"{label}: {chunks:,} chunks, peak RSS {peak:,.0f} MiB ({peak - baseline:,.0f} MiB above "
        f"the baseline); raw vectors {raw:,.0f} MiB; peak / raw {peak / raw:.1f}x, "
        f"(peak - baseline) / raw {(peak - baseline) / raw:.1f}x"
    )
    return {
        "chunks": chunks,
        "peak_mb": round(peak, 1),
        "raw_vectors_mb": round(raw, 1),
        "above_baseline_mb": round(peak - baseline, 1),
        "answered": result.get("answered"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1M-chunk index")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        if mode == "baseline":
            result = child_baseline()
        elif mode == "realtimeqa":
            result = child_realtimeqa(rest[0])
        else:
            result = child_synthetic(int(rest[0]), serve=mode == "serve")
        print(json.dumps(result))
        return

    print(f"machine: {cpu_note()}")
    baseline = float(run_child("baseline")["peak_mb"])  # type: ignore[arg-type]
    print(f"baseline (model loaded, no index): peak RSS {baseline:,.0f} MiB")
    figures: dict[str, object] = {"baseline_mb": round(baseline, 1)}
    where = shared_data() / "realtimeqa"
    folder = realtimeqa_cache(Runtime(bench_settings(REPO / "data")))
    if not where.is_dir():
        print(f"realtimeqa: skipped ({where} is absent)")
        figures["realtimeqa"] = "skipped"
    elif folder is None:
        print(f"realtimeqa: skipped (no cached eval index; newsbot eval realtimeqa {where})")
        figures["realtimeqa"] = "skipped"
    else:
        result = run_child("realtimeqa", str(folder))
        figures["realtimeqa"] = report_line("realtimeqa (bot service)", result, baseline)
    if args.quick:
        figures["synthetic_1m"] = "skipped (--quick)"
    else:
        built = run_child("build", str(MILLION))
        if built.get("build_s"):
            print(f"(built the synthetic 1M index in {built['build_s']} s; cached for later runs)")
        result = run_child("serve", str(MILLION))
        line = report_line(f"synthetic 1M ({result['kind']} + bm25)", result, baseline)
        figures["synthetic_1m"] = {**line, "kind": result["kind"]}
    emit(NAME, figures)


if __name__ == "__main__":
    main()
