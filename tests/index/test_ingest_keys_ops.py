"""Two files naming one address (".../index.html" and ".../index.html/") in one folder.

Both normalise to one article key. They used to replace each other on every run ("1
updated", then "2 updated" on each later run, the article embedded again every time);
now the first of a run is kept and the second is a duplicate, skipped, run after run,
whichever batch each falls in.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from index.embedding import HashingEmbedder
from index.parsing import iter_path
from index.pipeline import Indexer, IndexingConfig

ADDRESS = "https://www.cnn.com/2022/06/22/politics/gas-tax-suspension-biden/index.html"


def _write(folder: Path, name: str, title: str, body: str, url: str) -> None:
    record = {"title": title, "body": body, "url": url, "source": "CNN"}
    (folder / name).write_text(json.dumps(record), encoding="utf-8")


class _Counting(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(64)
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return super().embed(texts)


@pytest.mark.parametrize("batch_articles", [64, 1])
def test_the_second_file_of_an_address_is_a_duplicate_run_after_run(
    session_factory: sessionmaker[Session], tmp_path: Path, batch_articles: int
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    _write(folder, "a166.json", "Biden calls for a gas tax holiday", "Washington. " * 40, ADDRESS)
    _write(
        folder, "a173.json", "Biden will call for a gas tax pause", "Speech. " * 40, ADDRESS + "/"
    )
    embedder = _Counting()
    config = IndexingConfig(batch_articles=batch_articles)
    reports = []
    for _ in range(3):
        indexer = Indexer(
            session_factory=session_factory,
            embedder=embedder,
            index_dir=tmp_path / "index",
            config=config,
        )
        indexer.open()
        reports.append(indexer.ingest(iter_path(folder)))
    counts = [(r.new, r.updated, r.duplicates) for r in reports]
    assert counts == [(1, 0, 1), (0, 0, 2), (0, 0, 2)]
    assert [r.chunks_embedded for r in reports[1:]] == [0, 0]
    assert embedder.texts == reports[0].chunks_embedded
