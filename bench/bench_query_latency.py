"""Query latency: the retrieval path against a bare encode plus a bare FAISS search.

The retrieval path is what the bot runs for a question, the LLM excluded: `understand`
(dates, outlets, recency) then `HybridSearcher.search` (query encode, dense and BM25
candidates, fusion, filters, grouping, passage loading). The bare path is
`SentenceTransformer.encode` of the question plus a raw FAISS search (k=10) of the same
index object. Both run for every question, alternately, in one run; the figures are the
median and the 95th percentile of each.

Indexes: (a) the realtimeqa eval index cached by `newsbot eval realtimeqa` (skipped when
absent), with its 399 questions, each as of its question date (as the eval asks them);
(b) synthetic indexes of 100k and 1M chunks (`bench/synthetic.py`; the product's default
threshold makes 100k flat and 1M IVF), asked the Wikinews sample's headlines as questions,
a fifth of them naming a period ("this week", "yesterday": a ranking prior, not a filter).
The figures of (b) are for those questions; beside them, the same headlines asked with
hard filters (an outlet, a date range of a day or a week, an as-of date: 0.3-16 % of the
index) are timed apart, since they take the filtered routes of `index/faiss_filtered.py`.

Also: recall@10 of the IVF index against flat on the realtimeqa chunk and question vectors
(real embeddings), unfiltered and with the same kinds of filters (the IVF index scores
small allowed sets exactly and widens nprobe for larger ones).

Targets: the path at most 1.5x the bare path; p95 at 1M under 100 ms; IVF recall@10 at
least 0.95 against flat.

    python bench/bench_query_latency.py [--quick]   (--quick: skip 1M)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import faiss
import numpy as np
from common import (
    BareModel,
    bench_settings,
    cpu_note,
    emit,
    load_embedder,
    ms,
    percentile,
    realtimeqa_cache,
    sample_articles,
    shared_data,
)
from synthetic import synthetic_index

from bot.runtime import Runtime
from bot.settings import Settings
from index.embedding import SentenceTransformerEmbedder
from index.faiss_filtered import DIRECT, filtered_route
from index.faiss_kinds import IVF, ivf_nlist
from index.vectors import FaissVectorIndex
from retrieval import realtimeqa as rtqa
from retrieval.catalog import ChunkCatalog
from retrieval.query import QueryPlan, understand
from retrieval.realtimeqa_files import load_questions
from retrieval.search import HybridSearcher
from retrieval.types import DateRange, SearchFilters

NAME = "query_latency"
RATIO_TARGET = 1.5
P95_TARGET_1M = 0.100
RECALL_TARGET = 0.95
PERIODS = ("this week", "yesterday", "last week", "this month")

UPDATES_NOTE = """\
updates and deletions with IVF: IVF-Flat removes ids natively (remove_ids on its inverted
lists, found through FAISS's hashtable id map, so only those ids are touched) and adds new
vectors to the list of their nearest centroid without retraining, so an updated article's
old chunks are removed and its new ones added in place, like flat.
An index keeps its kind as it grows: a flat index that passes the threshold (200k by
default) is rebuilt as IVF at the next save (`needs_rebuild`), and an IVF index is
retrained from its own vectors once it has halved or doubled since training. HNSW was not
chosen because it cannot remove vectors."""


@dataclass(frozen=True)
class Asked:
    text: str
    now: datetime
    as_of: datetime | None = None
    date_range: DateRange | None = None  # a hard filter, as `newsbot ask --since` sets


def plan_of(asked: Asked, sources: Sequence[str]) -> QueryPlan:
    plan = understand(asked.text, now=asked.now, known_sources=sources, as_of=asked.as_of)
    if asked.date_range is None:
        return plan
    return replace(plan, filters=replace(plan.filters, date_range=asked.date_range))


@dataclass
class Latencies:
    path: list[float]
    bare: list[float]
    understand: list[float]
    filtered: list[bool]

    def figures(self, label: str) -> dict[str, float]:
        path_p50, path_p95 = percentile(self.path, 50), percentile(self.path, 95)
        bare_p50, bare_p95 = percentile(self.bare, 50), percentile(self.bare, 95)
        figures = {
            "path_p50_ms": round(1000 * path_p50, 2),
            "path_p95_ms": round(1000 * path_p95, 2),
            "bare_p50_ms": round(1000 * bare_p50, 2),
            "bare_p95_ms": round(1000 * bare_p95, 2),
            "ratio_p50": round(path_p50 / bare_p50, 3),
            "ratio_p95": round(path_p95 / bare_p95, 3),
            "understand_p50_ms": round(1000 * percentile(self.understand, 50), 2),
        }
        ok = figures["ratio_p50"] <= RATIO_TARGET
        print(
            f"{label}: path p50 {ms(path_p50)}, p95 {ms(path_p95)}; bare p50 {ms(bare_p50)}, "
            f"p95 {ms(bare_p95)}; ratio p50 {figures['ratio_p50']:.2f}, p95 "
            f"{figures['ratio_p95']:.2f} (target <= {RATIO_TARGET}: "
            f"{'meets' if ok else 'MISSES'}); understand p50 {figures['understand_p50_ms']} ms"
        )
        mask = np.asarray(self.filtered)
        if mask.any() and not mask.all():
            for name, chosen in (("unfiltered", ~mask), ("period-naming", mask)):
                path = np.asarray(self.path)[chosen]
                figures[f"{name}_p50_ms"] = round(1000 * percentile(path, 50), 2)
                figures[f"{name}_p95_ms"] = round(1000 * percentile(path, 95), 2)
                print(
                    f"  {name} questions ({int(chosen.sum())}): path p50 "
                    f"{ms(percentile(path, 50))}, p95 {ms(percentile(path, 95))}"
                )
        return figures


def raw_faiss(vectors: FaissVectorIndex) -> faiss.Index:
    """The FAISS object inside the product's index: what a bare search calls."""
    return vectors._index


def measure(
    searcher: HybridSearcher,
    bare: BareModel,
    raw: faiss.Index,
    questions: Sequence[Asked],
    *,
    k: int,
) -> Latencies:
    for asked in questions[:5]:  # warm-up
        bare.encode([asked.text])
        searcher.search(plan_of(asked, searcher.catalog.sources()), k=k)
    result = Latencies([], [], [], [])
    for asked in questions:
        started = time.perf_counter()
        vector = bare.encode([asked.text])
        raw.search(vector, 10)
        result.bare.append(time.perf_counter() - started)

        started = time.perf_counter()
        plan = plan_of(asked, searcher.catalog.sources())
        planned = time.perf_counter()
        searcher.search(plan, k=k)
        result.path.append(time.perf_counter() - started)
        result.understand.append(planned - started)
        result.filtered.append(plan.period is not None)
    return result


def realtimeqa_questions() -> list[Asked]:
    path = shared_data() / "realtimeqa" / "questions.jsonl"
    return [
        Asked(q.text, rtqa.end_of_day(q.asked_on), as_of=rtqa.end_of_day(q.asked_on))
        for q in load_questions(path, {})
    ]


def overlap_at_10(found: np.ndarray, exact: np.ndarray) -> float:
    """Share of the exact top 10 (fewer when fewer are allowed) that was found."""
    truth = set(exact[exact >= 0].tolist())
    return len(truth & set(found[found >= 0].tolist())) / len(truth) if truth else 1.0


def recall_at_10(
    ids: np.ndarray,
    vectors: np.ndarray,
    queries: np.ndarray,
    filters: Sequence[Sequence[tuple[str, SearchFilters]]],
    catalog: ChunkCatalog,
) -> dict[str, object]:
    """IVF (built as the product builds it, threshold forced low) against flat, top 10:
    unfiltered at three nprobe values, then with each question's `filters` at the default."""
    flat = FaissVectorIndex.build(ids, vectors, approximate_threshold=len(ids) + 1)
    _, exact = flat.search(queries, 10)
    started = time.perf_counter()
    ivf = FaissVectorIndex.build(ids, vectors, approximate_threshold=1)
    build = time.perf_counter() - started
    default = ivf.nprobe
    assert default is not None
    nlist = ivf_nlist(len(ids))
    figures: dict[str, object] = {}
    for nprobe in sorted({max(1, default // 2), default, min(nlist, default * 2)}):
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, 10)
        recall = float(np.mean([overlap_at_10(a, b) for a, b in zip(found, exact, strict=True)]))
        mark = " (default)" if nprobe == default else ""
        print(f"  nprobe {nprobe}/{nlist}{mark}: recall@10 {recall:.3f}")
        figures[f"recall_nprobe_{nprobe}"] = round(recall, 4)
        if nprobe == default:
            figures["recall_at_10"] = round(recall, 4)
    ivf.nprobe = default
    figures["filtered"] = filtered_recall(ivf, flat, queries, filters, catalog)
    figures.update(nlist=nlist, nprobe=default, ivf_build_s=round(build, 1))
    return figures


def filtered_recall(
    ivf: FaissVectorIndex,
    flat: FaissVectorIndex,
    queries: np.ndarray,
    filters: Sequence[Sequence[tuple[str, SearchFilters]]],
    catalog: ChunkCatalog,
) -> dict[str, float]:
    """Recall@10 of filtered IVF searches against the exact filtered top 10, by filter."""
    by_name: dict[str, list[float]] = {}
    by_route: dict[str, list[float]] = {}
    for query, named in zip(queries, filters, strict=True):
        for name, chosen in named:
            allowed = catalog.allowed_ids(chosen)
            if allowed is None or len(allowed) == 0:
                continue
            _, exact = flat.search(query, 10, allowed_ids=allowed)
            _, found = ivf.search(query, 10, allowed_ids=allowed)
            recall = overlap_at_10(found[0], exact[0])
            by_name.setdefault(name, []).append(recall)
            route = filtered_route(IVF, len(allowed), len(ivf))
            by_route.setdefault("direct" if route == DIRECT else "selector", []).append(recall)
    figures: dict[str, float] = {}
    for label, groups in (("filter", by_name), ("route", by_route)):
        for name, values in groups.items():
            figures[f"{name}_recall"] = round(float(np.mean(values)), 4)
            figures[f"{name}_searches"] = len(values)
            print(f"  filtered by {label} {name}: recall@10 {np.mean(values):.3f} ({len(values)})")
    everything = [value for values in by_name.values() for value in values]
    figures["recall_at_10"] = round(float(np.mean(everything)), 4) if everything else 1.0
    return figures


def question_filters(
    asked: Asked, sources: Sequence[str], number: int
) -> list[tuple[str, SearchFilters]]:
    """The filters a question's recall is measured with: as of its date, the day and the
    week before it, one outlet."""
    now = asked.as_of or asked.now
    return [
        ("as_of", SearchFilters(as_of=now)),
        ("day", SearchFilters(as_of=now, date_range=DateRange(now - timedelta(days=1), now))),
        ("week", SearchFilters(as_of=now, date_range=DateRange(now - timedelta(days=7), now))),
        ("outlet", SearchFilters(as_of=now, sources=(sources[number % len(sources)],))),
    ]


def realtimeqa_part(
    settings: Settings, embedder: SentenceTransformerEmbedder, bare: BareModel
) -> dict[str, object]:
    runtime = Runtime(settings, embedder=embedder)
    folder = realtimeqa_cache(runtime)
    if folder is None:
        print(
            "(a) realtimeqa: skipped (no complete cached eval index for these settings; "
            f"build it with: newsbot eval realtimeqa {shared_data() / 'realtimeqa'})"
        )
        return {"realtimeqa": "skipped"}
    local = Runtime(bench_settings(folder), embedder=embedder)
    pair = local.open_index()
    searcher = local.searcher(pair)
    questions = realtimeqa_questions()
    print(
        f"(a) realtimeqa: {len(pair.vectors):,} chunks, faiss-{pair.vectors.kind}+bm25, "
        f"{len(questions)} questions"
    )
    latencies = measure(
        searcher, bare, raw_faiss(pair.vectors), questions, k=settings.answer_passages
    )
    figures: dict[str, object] = {"realtimeqa": latencies.figures("  realtimeqa")}
    print("recall@10 of IVF against flat on the realtimeqa vectors (real embeddings):")
    ids, vectors = pair.vectors.export()
    queries = embedder.embed([q.text for q in questions])
    sources = searcher.catalog.sources()
    filters = [question_filters(q, sources, n) for n, q in enumerate(questions)]
    recall = recall_at_10(ids, vectors, queries, filters, searcher.catalog)
    filtered = recall["filtered"]
    assert isinstance(filtered, dict)
    ok = recall["recall_at_10"] >= RECALL_TARGET and filtered["recall_at_10"] >= RECALL_TARGET
    print(
        f"  {len(ids):,} chunk vectors, {len(queries)} questions: target recall@10 >= "
        f"{RECALL_TARGET} (unfiltered and filtered): {'meets' if ok else 'MISSES'} target at "
        "the default nprobe"
    )
    figures["ivf_recall"] = {**recall, "ok": ok}
    local.engine.dispose()
    return figures


SYNTHETIC_NOW = datetime(2022, 7, 1, 12, tzinfo=UTC)


def synthetic_questions() -> list[Asked]:
    now = SYNTHETIC_NOW
    out = []
    for number, article in enumerate(sample_articles()):
        title = article.title.rstrip(".?! ")
        if number % 5 == 4:
            out.append(Asked(f"What happened {PERIODS[number % len(PERIODS)]}: {title}?", now))
        else:
            out.append(Asked(f"What happened: {title}?", now))
    return out


def filtered_questions(outlets: Sequence[str]) -> list[Asked]:
    """The headlines with hard filters, in turn: an outlet (1/10 of the synthetic index),
    the last day (0.3 %), the last week (2 %), as of two months into the year (16 %)."""
    now = SYNTHETIC_NOW
    out = []
    for number, article in enumerate(sample_articles()):
        title = article.title.rstrip(".?! ")
        kind = number % 4
        if kind == 0:
            outlet = outlets[number % len(outlets)]
            out.append(Asked(f"What did {outlet} report: {title}?", now))
        elif kind in (1, 2):
            days = 1 if kind == 1 else 7
            out.append(Asked(f"{title}?", now, date_range=DateRange(now - timedelta(days), now)))
        else:
            out.append(Asked(f"{title}?", now, as_of=datetime(2022, 3, 1, tzinfo=UTC)))
    return out


def synthetic_part(
    count: int, settings: Settings, embedder: SentenceTransformerEmbedder, bare: BareModel
) -> dict[str, object]:
    started = time.perf_counter()
    index = synthetic_index(
        count,
        model_name=settings.embedding_model,
        approximate_threshold=settings.approximate_index_threshold,
        threads=settings.cpu_threads,
    )
    ready = time.perf_counter() - started
    vectors = index.vectors
    params = f", nprobe {vectors.nprobe}" if vectors.nprobe else ""
    print(
        f"({'b' if count < 1_000_000 else 'c'}) synthetic {count:,} chunks: faiss-{vectors.kind}"
        f"{params} + bm25 over {index.words_per_text}-term texts (ready in {ready:.0f} s)"
    )
    searcher = HybridSearcher(embedder, vectors, index.keywords, index.catalog, index.load_passages)
    questions = synthetic_questions()
    latencies = measure(searcher, bare, raw_faiss(vectors), questions, k=settings.answer_passages)
    main_figures = latencies.figures(f"  synthetic {count:,}")
    figures: dict[str, object] = {**main_figures}
    filtered = measure(
        searcher,
        bare,
        raw_faiss(vectors),
        filtered_questions(index.catalog.sources()),
        k=settings.answer_passages,
    )
    figures["hard_filters"] = filtered.figures("  the same headlines with hard filters")
    figures["kind"] = vectors.kind
    if count >= 1_000_000:
        p95 = main_figures["path_p95_ms"] / 1000
        ok = p95 < P95_TARGET_1M
        verdict = "meets" if ok else "MISSES"
        print(f"  p95 at 1M: {ms(p95)}; target < {ms(P95_TARGET_1M)}: {verdict} target")
        figures["p95_ok"] = ok
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1M-chunk index")
    args = parser.parse_args()
    settings = bench_settings(Path(__file__).resolve().parents[1] / "data")
    embedder = load_embedder(settings)
    bare = BareModel(settings, embedder.precision)
    print(f"machine: {cpu_note()}")
    print(f"model: {settings.embedding_model} ({embedder.precision}); k={settings.answer_passages}")
    figures: dict[str, object] = {}
    if (shared_data() / "realtimeqa").is_dir():
        figures.update(realtimeqa_part(settings, embedder, bare))
    else:
        print(f"(a) realtimeqa: skipped ({shared_data() / 'realtimeqa'} is absent)")
        figures["realtimeqa"] = "skipped"
    print(UPDATES_NOTE)
    sizes = (100_000,) if args.quick else (100_000, 1_000_000)
    for count in sizes:
        figures[f"synthetic_{count}"] = synthetic_part(count, settings, embedder, bare)
    emit(NAME, figures)


if __name__ == "__main__":
    main()
