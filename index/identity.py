"""Article identity: normalised URLs, content hashes, and near-duplicate fingerprints.

Exact identity (`article_key`) makes re-ingesting the same article a no-op. Near-duplicate
detection (MinHash over word shingles, banded LSH) groups syndicated copies of one story, which
outlets republish with their own intro, outro and small edits, into one story cluster.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
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
_EMPTY = np.uint32(0xFFFFFFFF)  # above every hash value mod _PRIME: "no shingles"
_BLOCK = 4096  # shingles hashed per step, so huge texts need little memory
_WORD = re.compile(r"\w+")


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
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - 2)}
    signature = np.full(PERMUTATIONS, _PRIME, dtype=np.uint64)
    hashes = np.fromiter((_shingle_hash(s) for s in shingles), dtype=np.uint64, count=len(shingles))
    for start in range(0, len(hashes), _BLOCK):
        block = hashes[None, start : start + _BLOCK]
        np.minimum(signature, ((_A * block + _B) % _PRIME).min(axis=1), out=signature)
    result = signature.astype("<u4")
    result[signature == _PRIME] = _EMPTY
    return result.tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two fingerprints (0..1)."""
    left, right = _signature(a), _signature(b)
    if _is_empty(left) or _is_empty(right):
        return 0.0
    return float(np.count_nonzero(left == right)) / PERMUTATIONS


def _shingle_hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8", errors="surrogatepass"), digest_size=4)
    return int.from_bytes(digest.digest(), "little") % _PRIME


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
    """

    def __init__(self, *, bands: int = 32) -> None:
        if bands <= 0 or PERMUTATIONS % bands:
            raise ValueError(f"bands must divide {PERMUTATIONS}, got {bands}")
        self._bands = bands
        self._rows = PERMUTATIONS // bands
        self._buckets: list[defaultdict[bytes, set[int]]] = [defaultdict(set) for _ in range(bands)]
        self._signatures: dict[int, npt.NDArray[np.uint32]] = {}
        self._stories: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._signatures)

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
        best: StoryMatch | None = None
        for article_id in sorted(candidates):
            score = float(np.count_nonzero(self._signatures[article_id] == signature))
            score /= PERMUTATIONS
            if score >= threshold and (best is None or score > best.similarity):
                best = StoryMatch(article_id, self._stories[article_id], score)
        return best

    def _band_keys(self, signature: npt.NDArray[np.uint32]) -> list[bytes]:
        rows = self._rows
        return [signature[i * rows : (i + 1) * rows].tobytes() for i in range(self._bands)]
