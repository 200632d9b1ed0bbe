"""The fast `fingerprint` gives the very bytes of the first implementation.

Fingerprints are stored in the articles table and compared with new ones, so a faster
implementation must not change a single value. `_reference_fingerprint` is the original
code (one Python-level blake2b per distinct shingle, uint64 remainder), kept here as the
oracle for random and real texts.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.fingerprints import FINGERPRINT_BYTES, fingerprint
from index.parsing import iter_path
from index.types import Article

_PRIME = (1 << 32) - 5
_WORD = re.compile(r"\w+")
_SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _params(label: str) -> np.ndarray:
    values = [
        int.from_bytes(hashlib.sha256(f"newsbot-minhash-{label}-{i}".encode()).digest()[:8])
        for i in range(128)
    ]
    return np.array([1 + v % (_PRIME - 1) for v in values], dtype=np.uint64)


_A = _params("a")[:, None]
_B = _params("b")[:, None]


def _reference_hash(shingle: str) -> int:
    digest = hashlib.blake2b(shingle.encode("utf-8", errors="surrogatepass"), digest_size=4)
    return int.from_bytes(digest.digest(), "little") % _PRIME


def _reference_fingerprint(text: str) -> bytes:
    words = _WORD.findall(text.casefold())
    if len(words) < 3:
        shingles = {" ".join(words)} if words else set()
    else:
        shingles = {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
    signature = np.full(128, _PRIME, dtype=np.uint64)
    hashes = np.fromiter(
        (_reference_hash(s) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    for start in range(0, len(hashes), 4096):
        block = hashes[None, start : start + 4096]
        np.minimum(signature, ((_A * block + _B) % _PRIME).min(axis=1), out=signature)
    result = signature.astype("<u4")
    result[signature == _PRIME] = np.uint32(0xFFFFFFFF)
    return result.tobytes()


# Letters that change under casefold, non-Latin scripts, digits of other scripts, combining
# marks, emoji, underscores, lone surrogates and odd whitespace.
_ALPHABET = (
    "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 _ ßẞİıſ ﬁﬀ ΣσςΆ ДЖщ 漢字かな 한국 "
    "عربي हिन्दी ٣٤ ४५ é é ñ 😀🇫🇷 \u00a0\u2003\t\n.,;:!?'\"-—()[]«» \ud800\udfff"
)


def _random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(length))


def _random_words(rng: random.Random, count: int, vocabulary: int) -> str:
    """Word soup with many repeated shingles (a small vocabulary) and mixed separators."""
    words = ["alpha", "Beta", "gamma_1", "Straße", "δέλτα", "東京", "x", "42", "naïve"]
    pool = [
        rng.choice(words) + (str(rng.randrange(vocabulary)) if rng.random() < 0.5 else "")
        for _ in range(vocabulary)
    ]
    seps = [" ", "  ", ", ", ". ", "\n", " — ", "'s "]
    return "".join(rng.choice(pool) + rng.choice(seps) for _ in range(count))


def test_same_bytes_on_random_characters() -> None:
    rng = random.Random(20261130)
    for _ in range(400):
        text = _random_text(rng, rng.choice([0, 1, 3, 10, 50, 300, 2000]))
        assert fingerprint(text) == _reference_fingerprint(text), repr(text)


def test_same_bytes_on_random_words_including_long_texts() -> None:
    rng = random.Random(7)
    # Up to 12k words: several 4096-shingle blocks, and repeats across block boundaries.
    for count in [0, 1, 2, 3, 4, 5, 17, 250, 4097, 4099, 12_000]:
        for vocabulary in (3, 40, 5000):
            text = _random_words(rng, count, vocabulary)
            assert fingerprint(text) == _reference_fingerprint(text)


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_same_bytes_on_any_text(text: str) -> None:
    assert fingerprint(text) == _reference_fingerprint(text)


def _real_texts() -> list[str]:
    texts: list[str] = []
    for path in (_SAMPLES / "wikinews" / "articles.jsonl", _SAMPLES / "sample"):
        for item in iter_path(path):
            if isinstance(item, Article):
                texts.extend((item.body, item.title))
    return texts


def test_same_bytes_on_the_bundled_articles() -> None:
    texts = _real_texts()
    assert len(texts) >= 600
    for text in texts:
        assert fingerprint(text) == _reference_fingerprint(text)


@pytest.mark.parametrize("text", ["", "   ", "...", "one", "two words", "three whole words"])
def test_same_bytes_on_short_texts(text: str) -> None:
    fp = fingerprint(text)
    assert len(fp) == FINGERPRINT_BYTES
    assert fp == _reference_fingerprint(text)


def test_hash_values_above_the_prime_wrap_as_a_remainder(monkeypatch: pytest.MonkeyPatch) -> None:
    """blake2b-32 values in [p, 2**32) are reduced mod p (too rare to meet in real text)."""
    import index.fingerprints as fingerprints

    class Digest:
        def __init__(self) -> None:
            self._data = b""

        def copy(self) -> Digest:
            return Digest()

        def update(self, data: bytes) -> None:
            self._data += data

        def digest(self) -> bytes:
            top = {b"a b c": 0xFFFFFFFE, b"b c d": _PRIME, b"c d e": _PRIME - 1}
            return top.get(self._data, 7).to_bytes(4, "little")

    monkeypatch.setattr(fingerprints, "_BLAKE2B_32", Digest())
    hashes = fingerprints._shingle_hashes("A b c d e f")
    assert hashes.tolist() == [0xFFFFFFFE - _PRIME, 0, _PRIME - 1, 7]
