"""Embedders: the sentence-transformers model, and a deterministic hashing fake for tests.

Both return L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from index.errors import ModelUnavailableError
from index.model_resolve import (
    DEFAULT_MODEL,
    PRECISIONS,
    choose_precision,
    load_failure,
    model_identity,
    read_cpu_flags,
    resolve_model,
    unavailable_message,
)
from index.protocols import FloatMatrix

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)


def l2_normalise(rows: FloatMatrix) -> FloatMatrix:
    """Unit-length float32 rows; an all-zero row stays zero."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.ascontiguousarray(rows / np.where(norms > 0, norms, 1), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Implements `Embedder` with a sentence-transformers model on the CPU.

    The model loads on first use (or `load()`), under a lock, so building one is free and
    a worker thread can own the slow part. `model_name` is the model's identity, not the
    resolved folder, so index manifests do not depend on where a package is installed (and
    the packaged copy's folder given as EMBEDDING_MODEL is the default model).
    """

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        *,
        precision: str = "auto",
        batch_size: int = 32,
        threads: int | None = None,
    ) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        if threads is not None and threads <= 0:
            raise ValueError(f"threads must be positive, got {threads}")
        self._model_name = model_name  # as given: what is loaded, and named in messages
        self._identity = model_identity(model_name)
        self._requested_precision = precision
        self._batch_size = batch_size
        self._threads = threads
        self._model: SentenceTransformer | None = None
        self._precision: str | None = None
        self._dimension = 0
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        """The model's identity (`model_identity`): what index manifests record."""
        return self._identity

    @property
    def dimension(self) -> int:
        self.load()
        return self._dimension

    @property
    def precision(self) -> str:
        """'fp32' or 'bf16': what 'auto' resolved to on this CPU."""
        if self._precision is None:
            self._precision = choose_precision(self._requested_precision, read_cpu_flags())
        return self._precision

    def load(self) -> None:
        """Load the model now (idempotent). Offline for packaged or local models."""
        with self._lock:
            if self._model is None:
                self._model = self._load_model()

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Passages -> (len(texts), dimension) float32, L2-normalised, in input order."""
        self.load()
        assert self._model is not None
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        # Longest first: each batch then pads to similar lengths (ST sorts only within a call).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for start in range(0, len(order), self._batch_size):
            rows = order[start : start + self._batch_size]
            vectors[rows] = self._encode([texts[i] for i in rows])
        return vectors

    def embed_query(self, text: str) -> FloatMatrix:
        """One question -> (dimension,)."""
        return self.embed([text])[0]

    def _encode(self, batch: list[str]) -> FloatMatrix:
        import torch  # already imported by sentence-transformers when we get here

        assert self._model is not None
        with torch.inference_mode():
            tensor = self._model.encode(
                batch,
                batch_size=len(batch),
                convert_to_tensor=True,
                normalize_embeddings=False,
                show_progress_bar=False,
            )
        # bf16 outputs: normalise after widening, in float32.
        return l2_normalise(tensor.to(torch.float32).cpu().numpy())

    def _load_model(self) -> SentenceTransformer:
        import torch
        from sentence_transformers import SentenceTransformer

        if self._threads is not None:
            torch.set_num_threads(self._threads)
        resolved = resolve_model(self._model_name)
        try:
            # local_files_only keeps a packaged or local model from ever calling the hub.
            model = SentenceTransformer(
                resolved.source, device="cpu", local_files_only=resolved.local
            )
        except (OSError, ValueError) as exc:
            # Missing folder, hub unreachable, unknown repo (huggingface_hub and transformers
            # raise OSError or ValueError subclasses): one line for the user, not the chain.
            logger.debug("loading %s failed", self._model_name, exc_info=True)
            failure = load_failure(exc)
            message = unavailable_message(self._model_name, local=resolved.local, failure=failure)
            raise ModelUnavailableError(message) from exc
        if self.precision == "bf16":
            model.to(torch.bfloat16)
        model.eval()
        dimension = model.get_embedding_dimension()
        if not dimension:
            raise ValueError(f"model {self._model_name!r} does not report its dimension")
        self._dimension = int(dimension)
        logger.info(
            "loaded embedding model %s (%d dims, %s, %s)",
            self._model_name,
            self._dimension,
            self.precision,
            "local" if resolved.local else "hub",
        )
        return model


_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """A deterministic fake `Embedder`: hashed bag of lowercase word unigrams and bigrams.

    Texts sharing words get similar vectors; no model is loaded. For tests where ranking by
    meaning does not matter. An empty text maps to one fixed unit vector.
    """

    def __init__(self, dimension: int = 64, model_name: str = "hashing-test") -> None:
        if dimension <= 0:
            raise ValueError(f"dimension must be positive, got {dimension}")
        self._dimension = dimension
        self._model_name = model_name

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        rows = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
            for feature in features or ["\x00empty"]:
                rows[row, self._bucket(feature)] += 1.0
        return l2_normalise(rows)

    def embed_query(self, text: str) -> FloatMatrix:
        return self.embed([text])[0]

    def _bucket(self, feature: str) -> int:
        # blake2b, not hash(): stable across processes (PYTHONHASHSEED).
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self._dimension
