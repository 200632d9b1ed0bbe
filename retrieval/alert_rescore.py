"""Candidate alerts scored again on their text without the outlet.

The indexer embeds every chunk behind the header "Title (Outlet, date)" (`index/chunking.py`,
for search). For alerts the outlet is no evidence: an outlet named like a topic ("Example
Aviation News" for "Boeing aircraft") pulls every item it publishes toward the topic (a
bakery item: cosine 0.18 with the header, 0.003 without). So each candidate pair's best
chunk is embedded again as title + passage, and that cosine decides. Only candidates get
here (pairs near an alert by the indexed vectors), and each distinct chunk is embedded once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.protocols import Embedder, FloatMatrix


def alert_text(title: str, passage: str) -> str:
    """What an article chunk is scored on for alerts: its title and passage, no outlet."""
    title = title.strip()
    return f"{title}\n{passage}" if title else passage


def rescore(
    requests: Sequence[tuple[int, str]],
    topic_vectors: Sequence[FloatMatrix],
    embedder: Embedder,
) -> FloatMatrix:
    """For each (topic index, text): the cosine of the topic's best part to the text.

    Identical texts are embedded once, whatever the number of topics asking for them.
    """
    if not requests:
        return np.zeros(0, dtype=np.float64)
    unique: dict[str, int] = {}
    for _, text in requests:
        unique.setdefault(text, len(unique))
    vectors = embedder.embed(list(unique))
    scores = np.empty(len(requests), dtype=np.float64)
    for row, (topic, text) in enumerate(requests):
        parts = np.atleast_2d(topic_vectors[topic])
        scores[row] = float((parts @ vectors[unique[text]]).max())
    return scores
