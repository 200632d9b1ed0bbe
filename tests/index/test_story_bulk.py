"""The story clusterer's bulk part (`StoryClusterer.from_signatures`, how an ingest pass
loads the stored fingerprints) finds exactly what articles added one by one would."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.fingerprints import PERMUTATIONS, fingerprint
from index.story_clusters import StoryClusterer

_EMPTY = np.uint32(0xFFFFFFFF)


def family(seed: int, count: int) -> np.ndarray:
    """Signatures of near copies: a few stories, each copy changing a share of values, so
    bands collide partly and similarities spread around the thresholds."""
    rng = np.random.default_rng(seed)
    stories = rng.integers(0, 2**32 - 5, size=(4, PERMUTATIONS), dtype=np.uint64)
    rows = stories[rng.integers(0, 4, count)].copy()
    for row in rows:
        changed = rng.random(PERMUTATIONS) < rng.uniform(0.0, 0.8)
        row[changed] = rng.integers(0, 2**32 - 5, changed.sum(), dtype=np.uint64)
    signatures = rows.astype(np.uint32)
    signatures[rng.random(count) < 0.05] = _EMPTY  # articles without text
    return signatures


def as_fp(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    loaded=st.integers(0, 40),
    steps=st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 59))),
    threshold=st.sampled_from([0.3, 0.6, 0.9]),
)
def test_bulk_loaded_matches_one_by_one(seed, loaded, steps, threshold) -> None:
    signatures = family(seed, 60)
    stories = np.arange(60) % 7 + 100
    ids = np.arange(60) * 3 + 1
    bulk = StoryClusterer.from_signatures(ids[:loaded], stories[:loaded], signatures[:loaded])
    reference = StoryClusterer()
    for i in range(loaded):
        reference.add(int(ids[i]), int(stories[i]), as_fp(signatures[i]))
    for step, (action, row) in enumerate(steps):
        article_id = int(ids[row])
        if action == "add":
            fp = as_fp(signatures[(row + step) % 60])  # maybe another text: an update
            bulk.add(article_id, int(stories[row]), fp)
            reference.add(article_id, int(stories[row]), fp)
        else:
            assert bulk.remove(article_id) == reference.remove(article_id)
        assert len(bulk) == len(reference)
    for signature in family(seed + 1, 20).tolist() + signatures[::7].tolist():
        fp = as_fp(np.asarray(signature, dtype=np.uint32))
        assert bulk.find_match(fp, threshold) == reference.find_match(fp, threshold)


def test_bulk_part_on_real_fingerprints() -> None:
    texts = [" ".join(f"word{(i * 7 + j) % 500}" for j in range(200)) for i in range(30)]
    prints = np.stack([np.frombuffer(fingerprint(t), dtype="<u4") for t in texts])
    clusterer = StoryClusterer.from_signatures(np.arange(30), np.arange(30) + 1000, prints)
    copy = texts[12] + " plus a closing line from the wire service"
    match = clusterer.find_match(fingerprint(copy))
    assert match is not None
    assert (match.article_id, match.story_id) == (12, 1012)
    assert clusterer.remove(12) is True
    assert clusterer.remove(12) is False
    assert clusterer.find(fingerprint(copy)) != 1012
    clusterer.add(12, 55, fingerprint(texts[12]))  # re-added: now in the dynamic part
    assert clusterer.find(fingerprint(copy)) == 55
    assert len(clusterer) == 30


def test_bad_bulk_input_is_refused() -> None:
    prints = np.zeros((2, PERMUTATIONS), dtype=np.uint32)
    with pytest.raises(ValueError, match="distinct"):
        StoryClusterer.from_signatures([1, 1], [1, 1], prints)
    with pytest.raises(ValueError, match="signature"):
        StoryClusterer.from_signatures([1, 2], [1, 2], prints[:, :64])
