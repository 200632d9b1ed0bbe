"""Story clusters: which known story is a new article a near-duplicate of?

Banded LSH over the MinHash fingerprints of `index/fingerprints.py`, held in memory by the
ingest pass that assigns stories (`index/stories.py` loads it from the database).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.fingerprints import EMPTY, PERMUTATIONS, as_signature, is_empty


@dataclass(frozen=True)
class StoryMatch:
    article_id: int
    story_id: int
    similarity: float


class StoryClusterer:
    """In-memory LSH table over fingerprints: which known story is a new article a copy of?

    32 bands of 4 values find pairs of Jaccard 0.6 with ~99 % probability and rarely
    propose pairs below 0.3; candidates are then checked on their full signatures. Thresholds
    much below 0.5 lose recall. Not thread-safe: one owner adds and finds.

    Two parts answer together: a bulk part loaded at once from stored fingerprints
    (`from_signatures`: numpy arrays, band keys hashed to uint64 and sorted, so loading
    20k articles costs a few sorts instead of 600k set insertions) and a dynamic part for
    articles added afterwards (dicts of band buckets). Removing a bulk article only marks
    it dead. A hashed key only proposes candidates: each is checked on the band's exact
    values, so both parts find exactly what one dynamic table would.
    """

    def __init__(self, *, bands: int = 32) -> None:
        if bands <= 0 or PERMUTATIONS % bands:
            raise ValueError(f"bands must divide {PERMUTATIONS}, got {bands}")
        self._bands = bands
        self._rows = PERMUTATIONS // bands
        self._buckets: list[defaultdict[bytes, set[int]]] = [defaultdict(set) for _ in range(bands)]
        self._signatures: dict[int, npt.NDArray[np.uint32]] = {}
        self._stories: dict[int, int] = {}
        # The bulk part: rows sorted by article id; (row, band) entries sorted by band key.
        self._bulk_ids = np.zeros(0, dtype=np.int64)
        self._bulk_stories = np.zeros(0, dtype=np.int64)
        self._bulk_sigs = np.zeros((0, PERMUTATIONS), dtype=np.uint32)
        self._bulk_alive = np.zeros(0, dtype=bool)
        self._bulk_live = 0
        self._bulk_keys = np.zeros(0, dtype=np.uint64)
        self._bulk_entries = np.zeros(0, dtype=np.int64)  # row * bands + band, by key
        rng = np.random.default_rng(0x5EED)  # any odd multipliers: exactness is checked
        self._key_mix = rng.integers(1, 2**63, size=(bands, self._rows), dtype=np.uint64) | 1

    @classmethod
    def from_signatures(
        cls,
        article_ids: npt.ArrayLike,
        story_ids: npt.ArrayLike,
        signatures: npt.NDArray[np.uint32],
        *,
        bands: int = 32,
    ) -> StoryClusterer:
        """A clusterer holding these articles (distinct ids; `signatures` of shape
        (n, PERMUTATIONS), one fingerprint per row), as if each were `add`ed."""
        clusterer = cls(bands=bands)
        ids = np.asarray(article_ids, dtype=np.int64).ravel()
        stories = np.asarray(story_ids, dtype=np.int64).ravel()
        sigs = np.asarray(signatures, dtype=np.uint32)
        if (
            sigs.ndim != 2
            or sigs.shape[1] != PERMUTATIONS
            or not len(ids) == len(stories) == len(sigs)
        ):
            raise ValueError(f"need n ids, n stories and an (n, {PERMUTATIONS}) signature array")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("article ids must be distinct")
        keep = sigs[:, 0] != EMPTY  # no text to compare: it can never match anything
        order = np.argsort(ids[keep], kind="stable")
        clusterer._bulk_ids = ids[keep][order]
        clusterer._bulk_stories = stories[keep][order]
        clusterer._bulk_sigs = np.ascontiguousarray(sigs[keep][order])
        clusterer._bulk_alive = np.ones(len(order), dtype=bool)
        clusterer._bulk_live = len(order)
        keys = clusterer._hash_bands(clusterer._bulk_sigs).ravel()
        entries = np.argsort(keys)
        clusterer._bulk_keys = keys[entries]
        clusterer._bulk_entries = entries
        return clusterer

    def __len__(self) -> int:
        return len(self._signatures) + self._bulk_live

    def add(self, article_id: int, story_id: int, fp: bytes) -> None:
        """Remember an article and its story; adding an id again replaces it."""
        signature = as_signature(fp)
        self.remove(article_id)
        if is_empty(signature):
            return  # no text to compare: it can never match anything
        self._signatures[article_id] = signature
        self._stories[article_id] = story_id
        for band, key in enumerate(self._band_keys(signature)):
            self._buckets[band][key].add(article_id)

    def remove(self, article_id: int) -> bool:
        """Forget an article; False when it was not known."""
        row = self._bulk_row(article_id)
        if row is not None:
            self._bulk_alive[row] = False
            self._bulk_live -= 1
            return True
        signature = self._signatures.pop(article_id, None)
        if signature is None:
            return False
        del self._stories[article_id]
        for band, key in enumerate(self._band_keys(signature)):
            bucket = self._buckets[band][key]
            bucket.discard(article_id)
            if not bucket:
                del self._buckets[band][key]
        return True

    def find(self, fp: bytes, threshold: float = 0.6) -> int | None:
        """Story id of the most similar known article at or above `threshold`, else None."""
        match = self.find_match(fp, threshold)
        return match.story_id if match else None

    def find_match(self, fp: bytes, threshold: float = 0.6) -> StoryMatch | None:
        """Like `find`, with the matched article and its estimated similarity."""
        signature = as_signature(fp)
        if is_empty(signature):
            return None
        candidates: set[int] = set()
        for band, key in enumerate(self._band_keys(signature)):
            candidates.update(self._buckets[band].get(key, ()))
        scored = [
            (int(np.count_nonzero(self._signatures[i] == signature)), i, self._stories[i])
            for i in candidates
        ]
        rows = self._bulk_candidates(signature)
        if len(rows):
            equal = np.count_nonzero(self._bulk_sigs[rows] == signature, axis=1)
            scored.extend(
                zip(
                    equal.tolist(),
                    self._bulk_ids[rows].tolist(),
                    self._bulk_stories[rows].tolist(),
                    strict=True,
                )
            )
        best: StoryMatch | None = None
        # Highest similarity wins; among equals, the lowest article id.
        for equal_values, article_id, story_id in sorted(scored, key=lambda s: (-s[0], s[1])):
            score = equal_values / PERMUTATIONS
            if score >= threshold:
                best = StoryMatch(article_id, story_id, score)
            break
        return best

    def _band_keys(self, signature: npt.NDArray[np.uint32]) -> list[bytes]:
        rows = self._rows
        return [signature[i * rows : (i + 1) * rows].tobytes() for i in range(self._bands)]

    def _hash_bands(self, signatures: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
        """One uint64 key per (row, band): the band's values mixed (wrapping arithmetic)."""
        values = signatures.reshape(len(signatures), self._bands, self._rows).astype(np.uint64)
        return (values * self._key_mix).sum(axis=2, dtype=np.uint64)

    def _bulk_row(self, article_id: int) -> int | None:
        """The live bulk row of an article, if it has one."""
        at = int(np.searchsorted(self._bulk_ids, article_id))
        if at < len(self._bulk_ids) and self._bulk_ids[at] == article_id:
            return at if self._bulk_alive[at] else None
        return None

    def _bulk_candidates(self, signature: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """Live bulk rows sharing at least one band exactly with `signature`, unique."""
        if self._bulk_live == 0:
            return np.zeros(0, dtype=np.int64)
        keys = self._hash_bands(signature[None, :])[0]
        starts = np.searchsorted(self._bulk_keys, keys, side="left")
        ends = np.searchsorted(self._bulk_keys, keys, side="right")
        if not (ends > starts).any():
            return np.zeros(0, dtype=np.int64)
        entries = np.concatenate(
            [self._bulk_entries[s:e] for s, e in zip(starts, ends, strict=True)]
        )
        rows, bands = np.divmod(entries, self._bands)
        band_sigs = self._bulk_sigs.reshape(-1, self._bands, self._rows)[rows, bands]
        wanted = signature.reshape(self._bands, self._rows)[bands]
        exact = (band_sigs == wanted).all(axis=1) & self._bulk_alive[rows]
        return np.unique(rows[exact])
