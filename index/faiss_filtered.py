"""Filtered vector search: the top k among allowed ids only, by the cheaper of two routes.

A search restricted by `allowed_ids` (as-of, date range, outlet, or the few ids the
searcher wants exact cosines for) takes one of two routes (`filtered_route`):

- direct: the allowed vectors are read (flat: by row; IVF: through the id map) and scored
  with an exact inner product in numpy (`top_k_exact`), so IVF recall is 1.0 there. Flat:
  up to 10 % of the index (1k allowed at 200k: 0.6 ms against 7 ms with a selector). IVF:
  up to 1 % of the index or 1,000 ids, whichever is more: where the two routes cost the
  same at 200k and 1M (measurements below).
- selector: FAISS search with an IDSelector (`id_selector`: a bitmap when ids are dense).
  IVF probes nprobe / sqrt(allowed share) lists (at most all, `widened_nprobe`): on the
  realtimeqa vectors with real filters this kept recall@10 against the exact filtered top
  10 at 0.97-0.99 for every share, like unfiltered search (0.978); without widening it fell
  to 0.79 at 1-3 %.

Before the direct IVF route, the searcher's exact cosines for ~100 ids probed every list
of a 1M index (nprobe widened by 1 / share): 65 ms each, twice per question.

Where the IVF routes cross. Measured on two shared cores under load, median of 16
queries, k=100, random allowed ids: reading the allowed vectors through the id map and
scoring them ("direct") costs ~3 µs per allowed id at 1M vectors (~1.5 µs at 200k); a
search with a selector at the widened nprobe ~20-30 ms at 1M whatever the share (~2 ms at
200k: the id lists it checks fit in cache). They cross at about 1 % of the index at both
sizes (the widening makes the selector's cost fall as the share grows, so the crossover is
a share):

    1M (nlist 4000, nprobe 250)      direct    selector
       1k allowed (0.1 %)             3.0 ms    25.7 ms
       5k                            19.2 ms    31.4 ms
      10k (1 %)                      32.7 ms    31.8 ms
      20k                            45.0 ms    18.3 ms
    200k (nlist 1789, nprobe 111)
       1k allowed (0.5 %)             1.4 ms     2.2 ms
       2k (1 %)                       2.1 ms     2.1 ms
       5k                             4.8 ms     1.9 ms

Below 1 % the direct route is also exact, where the selector's recall@10 is 0.97-0.99.

Pure helpers over FAISS objects and numpy arrays; the class holding the index lives in
`index/vectors.py`, the index kinds in `index/faiss_kinds.py`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import faiss
import numpy as np

from index.faiss_kinds import FLAT
from index.protocols import FloatMatrix, IdArray

DIRECT = "direct"  # filtered routes: score the allowed vectors directly...
SELECTOR = "selector"  # ...or search with an IDSelector
# Largest allowed set scored directly: a share of the index (flat, IVF), at least a count
# (IVF). See the module docstring.
_FLAT_DIRECT_SHARE = 0.1
_IVF_DIRECT_SHARE = 0.01
_IVF_DIRECT_MIN = 1_000
# A bitmap selector may spend this many bits per allowed id (a hash set spends ~100).
_BITMAP_BITS_PER_ID = 64


def filtered_route(kind: str, allowed: int, count: int) -> str:
    """DIRECT or SELECTOR for a search restricted to `allowed` of `count` vectors."""
    if kind == FLAT:
        limit = _FLAT_DIRECT_SHARE * count
    else:
        limit = max(_IVF_DIRECT_MIN, _IVF_DIRECT_SHARE * count)
    return DIRECT if allowed <= limit else SELECTOR


def widened_nprobe(nprobe: int, nlist: int, allowed: int, count: int) -> int:
    """Lists to probe when only `allowed` of `count` vectors may be returned.

    Each list holds fewer allowed vectors, so probe more lists: nprobe / sqrt(share). The
    full compensation, nprobe / share, probed every list below a few % for little recall
    (see the module docstring).
    """
    share = min(1.0, allowed / max(1, count))
    if share <= 0:
        return nlist
    return min(nlist, math.ceil(nprobe / math.sqrt(share)))


def id_selector(allowed: IdArray) -> faiss.IDSelector:
    """A FAISS selector for sorted unique non-negative ids.

    A bitmap (one bit per id up to the largest) when it is compact: built in ~1 ms for a
    million ids, where FAISS's hash set (`IDSelectorBatch`) took 25-150 ms for 100k-900k
    ids. The hash set otherwise (sparse ids far above the allowed count).
    """
    if len(allowed) and int(allowed[-1]) < _BITMAP_BITS_PER_ID * len(allowed) + 65_536:
        bits = np.zeros(int(allowed[-1]) + 1, dtype=bool)
        bits[allowed] = True
        return faiss.IDSelectorBitmap(np.packbits(bits, bitorder="little"))  # keeps the array
    return faiss.IDSelectorBatch(allowed)


def search_selected(
    index: faiss.Index,
    kind: str,
    params: Mapping[str, int],
    queries: FloatMatrix,
    k: int,
    allowed: IdArray,
) -> tuple[FloatMatrix, IdArray]:
    """The selector route: FAISS's own (scores, ids), IVF probing widened lists."""
    selector = id_selector(allowed)
    if kind == FLAT:
        return index.search(queries, k, params=faiss.SearchParameters(sel=selector))
    nprobe = widened_nprobe(
        int(index.nprobe), int(params["nlist"]), len(allowed), int(index.ntotal)
    )
    search_params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
    return index.search(queries, k, params=search_params)


def top_k_exact(
    queries: FloatMatrix, candidates: FloatMatrix, candidate_ids: IdArray, k: int
) -> tuple[FloatMatrix, IdArray]:
    """Exact top-k by inner product over a small candidate set, padded with (-inf, -1)."""
    count = len(candidate_ids)
    scores_out = np.full((len(queries), k), -np.inf, dtype=np.float32)
    ids_out = np.full((len(queries), k), -1, dtype=np.int64)
    if count == 0:
        return scores_out, ids_out
    # einsum never calls BLAS: OpenBLAS wakes its threads for a 2,000 x 384 product, which
    # cost 20 ms on these loaded shared cores against 0.15 ms on one thread.
    scores = np.einsum("qd,cd->qc", queries, candidates)  # (nq, count)
    take = min(k, count)
    if take < count:
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
    else:
        part = np.broadcast_to(np.arange(count), (len(queries), count))
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    scores_out[:, :take] = np.take_along_axis(scores, best, axis=1)
    ids_out[:, :take] = candidate_ids[best]
    return scores_out, ids_out
