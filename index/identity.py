"""Article identity: normalised URLs, content hashes, and near-duplicate fingerprints.

Exact identity (`article_key`) makes re-ingesting the same article a no-op. Near-duplicate
detection (MinHash over word shingles, banded LSH) groups syndicated copies of one story, which
outlets republish with their own intro, outro and small edits, into one story cluster.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt

from index.types import Article

# ---------------------------------------------------------------- exact identity

_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ref"})
_PERCENT_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def normalize_url(url: str) -> str:
    """One spelling per web address: https, lowercase host without "www." and default port,
    no fragment, credentials or tracking parameters, sorted query, no trailing slash.

    Anything that is not an http(s) URL with a host comes back stripped but otherwise as given.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() not in ("http", "https") or not host:
        return text
    host = host.removeprefix("www.")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port not in (80, 443):
        netloc = f"{netloc}:{port}"
    path = _upper_escapes(parts.path).rstrip("/") or "/"
    return urlunsplit(("https", netloc, path, _clean_query(parts.query), ""))


def content_hash(title: str, body: str) -> str:
    """sha256 hex of title and body, whitespace-collapsed and case-folded."""
    normal = _normal_text(title) + "\n" + _normal_text(body)
    return hashlib.sha256(normal.encode("utf-8", errors="surrogatepass")).hexdigest()


def article_key(article: Article) -> str:
    """The article's identity: its normalised URL, else "sha256:" + its content hash."""
    if article.url and article.url.strip():
        return normalize_url(article.url)
    return "sha256:" + content_hash(article.title, article.body)


def _clean_query(query: str) -> str:
    kept = [
        _upper_escapes(pair)
        for pair in query.split("&")
        if pair and not _is_tracking(unquote_plus(pair.split("=", 1)[0]).lower())
    ]
    return "&".join(sorted(kept))


def _is_tracking(key: str) -> bool:
    return key.startswith("utm_") or key in _TRACKING_PARAMS


def _upper_escapes(text: str) -> str:
    return _PERCENT_ESCAPE.sub(lambda match: match.group(0).upper(), text)


def _normal_text(text: str) -> str:
    return " ".join(text.split()).casefold()


# ---------------------------------------------------------------- near duplicates

PERMUTATIONS = 128
FINGERPRINT_BYTES = PERMUTATIONS * 4  # little-endian uint32 values, stored as a blob
SHINGLE_WORDS = 3
_PRIME = (1 << 32) - 5  # largest prime below 2**32: a*x + b stays inside uint64
_PRIME_U64 = np.uint64(_PRIME)
_EMPTY = np.uint32(0xFFFFFFFF)  # above every hash value mod _PRIME: "no shingles"
_BLOCK = 4096  # shingles hashed per step, so huge texts need little memory
_WORD = re.compile(r"\w+")
_blake2b_32 = functools.partial(hashlib.blake2b, digest_size=4)


def _permutation_params(label: str) -> npt.NDArray[np.uint64]:
    # Derived from fixed strings, not an RNG, so stored fingerprints stay comparable forever.
    values = [
        int.from_bytes(hashlib.sha256(f"newsbot-minhash-{label}-{i}".encode()).digest()[:8])
        for i in range(PERMUTATIONS)
    ]
    return np.array([1 + v % (_PRIME - 1) for v in values], dtype=np.uint64)


_A = _permutation_params("a")[:, None]
_B = _permutation_params("b")[:, None]


def fingerprint(text: str) -> bytes:
    """MinHash signature of the text's word 3-shingles (128 uint32 values, 512 bytes)."""
    hashes = _shingle_hashes(text)
    signature = np.full(PERMUTATIONS, _PRIME, dtype=np.uint64)
    for start in range(0, len(hashes), _BLOCK):
        values = _A * hashes[None, start : start + _BLOCK]
        values += _B
        # y - (y // p) * p is y % p: numpy divides by a scalar with a multiply and shift,
        # several times faster than its uint64 remainder.
        quotients = values // _PRIME_U64
        quotients *= _PRIME_U64
        values -= quotients
        np.minimum(signature, values.min(axis=1), out=signature)
    result = signature.astype("<u4")
    result[signature == _PRIME] = _EMPTY
    return result.tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two fingerprints (0..1)."""
    left, right = _signature(a), _signature(b)
    if _is_empty(left) or _is_empty(right):
        return 0.0
    return float(np.count_nonzero(left == right)) / PERMUTATIONS


def _shingle_hashes(text: str) -> npt.NDArray[np.uint64]:
    """blake2b-32 of each word 3-shingle (words joined by one space, UTF-8), little-endian,
    mod _PRIME; a text under three words is one shingle, a text without words none.

    Repeated shingles are hashed again rather than deduplicated: a minimum does not change.
    The words are encoded once and the shingles built from bytes, so the per-shingle Python
    work is one join and one C-level hash (this runs ~100k times per 300 articles).
    """
    words = _WORD.findall(text.casefold())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    # \w never matches a space, so splitting the encoded join gives each word's bytes.
    encoded = " ".join(words).encode("utf-8", errors="surrogatepass").split(b" ")
    if len(encoded) < SHINGLE_WORDS:
        shingles: Iterable[bytes] = (b" ".join(encoded),)
    else:
        shingles = map(b" ".join, zip(encoded, encoded[1:], encoded[2:], strict=False))
    digests = b"".join([digest.digest() for digest in map(_blake2b_32, shingles)])
    hashes = np.frombuffer(digests, dtype="<u4").astype(np.uint64)
    hashes[hashes >= _PRIME] -= _PRIME_U64
    return hashes


def _signature(fp: bytes) -> npt.NDArray[np.uint32]:
    if len(fp) != FINGERPRINT_BYTES:
        raise ValueError(f"a fingerprint has {FINGERPRINT_BYTES} bytes, not {len(fp)}")
    return np.frombuffer(fp, dtype="<u4")


def _is_empty(signature: npt.NDArray[np.uint32]) -> bool:
    return bool(signature[0] == _EMPTY)


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
        keep = sigs[:, 0] != _EMPTY  # no text to compare: it can never match anything
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
        signature = _signature(fp)
        self.remove(article_id)
        if _is_empty(signature):
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
        signature = _signature(fp)
        if _is_empty(signature):
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
