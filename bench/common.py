"""Helpers shared by the benchmark scripts: paths, settings, models, timing and output.

Every script prints its figures and, last, one JSON line (`emit`). Ratios are measured side
by side in one run: these machines are noisy, so absolute times of two runs do not compare.
Parts that need the shared evaluation data ($NEWSBOT_SHARED_DATA, else ../shared/data
beside the repository) print a line saying they are skipped when it is absent.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# OpenMP threads that spin while waiting starve each other once other processes share the
# cores: on this 2-core machine under load, a single query encode with 2 torch threads took
# 170-450 ms spinning and 13-18 ms passive (bulk bf16 encoding 17-27 vs 34-36 passages/s).
# Set before torch or FAISS start their thread pools; OMP_WAIT_POLICY=ACTIVE to compare.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/x.py` puts bench/ first; tests.fakes needs the root
    sys.path.insert(0, str(REPO))

from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index.chunking import chunk_article  # noqa: E402
from index.embedding import SentenceTransformerEmbedder  # noqa: E402
from index.model_resolve import resolve_model  # noqa: E402
from index.parsing import iter_path  # noqa: E402
from index.types import Article  # noqa: E402

SAMPLES = REPO / "samples" / "wikinews" / "articles.jsonl"
BENCH_CACHE = REPO / "data" / "bench"  # synthetic indexes kept between runs (git-ignored)


# -- output ----------------------------------------------------------------------------------


def emit(name: str, figures: dict[str, Any]) -> None:
    """The last line of every script: one JSON object."""
    print(json.dumps({"bench": name, **figures}, default=_plain), flush=True)


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


# -- data ------------------------------------------------------------------------------------


def shared_data() -> Path:
    """The shared evaluation data: $NEWSBOT_SHARED_DATA, else ../shared/data beside the repo."""
    configured = os.environ.get("NEWSBOT_SHARED_DATA")
    return Path(configured) if configured else REPO.parent / "shared" / "data"


def sample_articles(limit: int | None = None) -> list[Article]:
    """The Wikinews sample articles bundled with the repository (300)."""
    articles = [item for item in iter_path(SAMPLES) if isinstance(item, Article)]
    return articles[:limit]


def chunk_texts(articles: Sequence[Article], settings: Settings) -> list[str]:
    """The texts the indexer embeds for these articles (`embed_text` of every chunk)."""
    return [
        piece.embed_text
        for article in articles
        for piece in chunk_article(
            article,
            target_words=settings.chunk_words,
            overlap_words=settings.chunk_overlap_words,
        )
    ]


# -- settings and models ---------------------------------------------------------------------


def bench_settings(data_dir: Path, **values: Any) -> Settings:
    """Default settings (environment variables still apply) with data in `data_dir`, no
    `.env`, no LLM and no bot token unless given."""
    fields: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": "",
        "openai_base_url": None,
        "openai_api_key": None,
        "telegram_bot_token": None,
    }
    fields.update(values)
    return Settings(_env_file=None, **fields)


def load_embedder(settings: Settings, precision: str | None = None) -> SentenceTransformerEmbedder:
    """The product's embedder, model loaded (so no timing below includes the load)."""
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model,
        precision=precision or settings.embedding_precision,
        batch_size=settings.embedding_batch_size,
        threads=settings.cpu_threads,
    )
    embedder.load()
    return embedder


class BareModel:
    """The same SentenceTransformer called directly: the floor each benchmark compares to."""

    def __init__(self, settings: Settings, precision: str) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(settings.cpu_threads)
        resolved = resolve_model(settings.embedding_model)
        self.model = SentenceTransformer(
            resolved.source, device="cpu", local_files_only=resolved.local
        )
        if precision == "bf16":
            self.model.to(torch.bfloat16)
        self.model.eval()
        self.batch_size = settings.embedding_batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, as `SentenceTransformer.encode` makes them."""
        import torch

        with torch.inference_mode():
            tensor = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                convert_to_tensor=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return tensor.to(torch.float32).cpu().numpy()


def cpu_note() -> str:
    flags = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    wanted = ("avx512_bf16", "amx_bf16", "amx_tile", "avx512_vnni")
    present = [flag for flag in wanted if flag in flags] or ["none of " + ", ".join(wanted)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    policy = os.environ.get("OMP_WAIT_POLICY", "default")
    return (
        f"{os.cpu_count()} CPUs ({', '.join(present)}), load average {load:.1f}, "
        f"OMP_WAIT_POLICY={policy}"
    )


# -- the realtimeqa evaluation cache ---------------------------------------------------------


def realtimeqa_articles() -> Path:
    return shared_data() / "realtimeqa" / "articles.jsonl.xz"


def realtimeqa_cache(runtime: Runtime) -> Path | None:
    """The complete cached eval index `newsbot eval realtimeqa` built for these settings.

    Found by the eval's own cache key (model, precision, chunking...), so a benchmark reads
    exactly the index the evaluation measured, never a stale one.
    """
    from bot.eval_cache import cache_key

    articles = realtimeqa_articles()
    if not articles.is_file():
        return None
    key = cache_key(runtime, articles)
    for done in sorted((runtime.settings.data_dir / "eval").glob("realtimeqa-*/complete.json")):
        record = json.loads(done.read_text(encoding="utf-8"))
        if record.get("key") == key:
            return done.parent
    return None


def eval_command(precision: str = "fp32") -> str:
    return f"EMBEDDING_PRECISION={precision} newsbot eval realtimeqa {shared_data() / 'realtimeqa'}"


# -- timing ----------------------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def interleaved(runs: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Seconds of each run, alternating A B A B..., so load changes hit every run alike."""
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, fn in runs.items():
            seconds[name].append(timed(fn)[1])
    return seconds


def percentile(samples: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples, dtype=np.float64), q))


def median(samples: Sequence[float]) -> float:
    return float(statistics.median(samples))


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f} ms"


def rss_peak_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
