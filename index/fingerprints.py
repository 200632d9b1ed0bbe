"""Near-duplicate fingerprints: MinHash signatures of a text's word 3-shingles.

Syndicated copies of one story (each outlet adds its own intro, outro and small edits) share
most of their shingles, so their signatures agree on most of the 128 values; the story
clusterer (`index/story_clusters.py`) groups them by banded LSH over these signatures.
Fingerprints are stored in the articles table, so their bytes must never change.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

PERMUTATIONS = 128
FINGERPRINT_BYTES = PERMUTATIONS * 4  # little-endian uint32 values, stored as a blob
SHINGLE_WORDS = 3
_PRIME = (1 << 32) - 5  # largest prime below 2**32: a*x + b stays inside uint64
_PRIME_U64 = np.uint64(_PRIME)
EMPTY = np.uint32(0xFFFFFFFF)  # above every hash value mod _PRIME: "no shingles"
_BLOCK = 4096  # shingles hashed per step, so huge texts need little memory
_WORD = re.compile(r"\w+")
# Each shingle is hashed by a copy of this empty state: copying it costs ~1/3 less than
# building a new blake2b object with its parameter block (same bytes either way).
_BLAKE2B_32 = hashlib.blake2b(digest_size=4)


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
    result[signature == _PRIME] = EMPTY
    return result.tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two fingerprints (0..1)."""
    left, right = as_signature(a), as_signature(b)
    if is_empty(left) or is_empty(right):
        return 0.0
    return float(np.count_nonzero(left == right)) / PERMUTATIONS


def _shingle_hashes(text: str) -> npt.NDArray[np.uint64]:
    """blake2b-32 of each word 3-shingle (words joined by one space, UTF-8), little-endian,
    mod _PRIME; a text under three words is one shingle, a text without words none.

    Repeated shingles are hashed again rather than deduplicated: a minimum does not change.
    The words are encoded once and the shingles built from bytes, so the per-shingle Python
    work is one join, one state copy and one C-level hash (~100k times per 300 articles).
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
    new_state = _BLAKE2B_32.copy
    digests: list[bytes] = []
    append = digests.append
    for shingle in shingles:
        state = new_state()
        state.update(shingle)
        append(state.digest())
    hashes = np.frombuffer(b"".join(digests), dtype="<u4").astype(np.uint64)
    hashes[hashes >= _PRIME] -= _PRIME_U64
    return hashes


def as_signature(fp: bytes) -> npt.NDArray[np.uint32]:
    """The 128 values of a fingerprint (a read-only view); ValueError on a wrong length."""
    if len(fp) != FINGERPRINT_BYTES:
        raise ValueError(f"a fingerprint has {FINGERPRINT_BYTES} bytes, not {len(fp)}")
    return np.frombuffer(fp, dtype="<u4")


def is_empty(signature: npt.NDArray[np.uint32]) -> bool:
    """True for the fingerprint of a text without words: it matches nothing."""
    return bool(signature[0] == EMPTY)
