"""Per-subscription profiles for the corpus route of the matcher (see `alert_defaults`).

A profile is fitted from one subscription's topic vectors and the background alone, so a
subscription's alerts never depend on anyone else's subscriptions. Steps, all vectorised
over subscriptions:

1. cosine of each topic part to every background article; the best part counts;
2. support: is the topic clearly present in the background at all? If not, only the
   direct route can alert for it;
3. seeds: background articles with cosine >= SEED_COSINE, weighted by their z-score;
4. label propagation of the seeds over the background's kNN graph, then each background
   article scored like a new article would be (the mean over its neighbours);
5. Otsu's two-class split of those scores; the upper class becomes hard seeds and steps 4-5
   run once more (one round of self-training sharpens a broad topic's edge);
6. a topic whose upper class holds most of the background (`max_share`) has flooded the
   graph (one label and nothing to stop it): it is not covered, only the direct route
   alerts for it;
7. the profile keeps the propagated scores (B floats) and the final cut-off.

Each row depends only on its own topic vectors, the background and the settings, so profiles
are cached (`update_profiles`): a profile is reused while all three are unchanged, and only
new or changed topics are fitted. A different background (by content, `Background.key`)
refits every profile: a profile's scores are per background article and mean nothing on
another background.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from index.protocols import FloatMatrix
from retrieval.alert_background import Background
from retrieval.alert_defaults import (
    ANCHOR_PRECISION,
    MAX_CORPUS_SHARE,
    MIN_BACKGROUND,
    MIN_CORPUS_SCORE,
    PROPAGATION_ALPHA,
    PROPAGATION_STEPS,
    SEED_COSINE,
    SUPPORT_COSINE,
    SUPPORT_MIN,
    SUPPORT_SHARE,
)

_SUBSCRIPTION_BLOCK = 512  # subscriptions fitted together (bounds memory: block x B floats)


@dataclass(frozen=True)
class CorpusSettings:
    """Knobs of the corpus route; the defaults are the measured ones (`alert_defaults`)."""

    seed_cosine: float = SEED_COSINE
    support_cosine: float = SUPPORT_COSINE
    support_share: float = SUPPORT_SHARE
    support_min: int = SUPPORT_MIN
    alpha: float = PROPAGATION_ALPHA
    steps: int = PROPAGATION_STEPS
    min_score: float = MIN_CORPUS_SCORE
    self_training: bool = True
    min_background: int = MIN_BACKGROUND
    max_share: float = MAX_CORPUS_SHARE
    # the lexical guard (`alert_lexicon`): a topic word is an anchor when this share of its
    # background articles are among the topic's nearest; None turns the guard off
    anchor_precision: float | None = ANCHOR_PRECISION

    def __post_init__(self) -> None:
        if not 0 <= self.alpha < 1 or self.steps < 1:
            raise ValueError("need 0 <= alpha < 1 and steps >= 1")
        if self.anchor_precision is not None and not 0 < self.anchor_precision <= 1:
            raise ValueError("anchor_precision must be in (0, 1], or None")


_DEFAULT = CorpusSettings()


@dataclass(frozen=True, eq=False)
class TopicProfiles:
    """Row i describes subscription i of the list given to `fit_topic_profiles`."""

    covered: npt.NDArray[np.bool_]  # (m,) the corpus route applies
    scores: FloatMatrix  # (m, B) propagated topic score of each background article
    cutoffs: FloatMatrix  # (m,) a new article's neighbour-average score must reach this

    def __len__(self) -> int:
        return int(self.covered.shape[0])


def empty_profiles(count: int, background_size: int = 0) -> TopicProfiles:
    """Profiles with the corpus route off (no or too small a background)."""
    return TopicProfiles(
        covered=np.zeros(count, dtype=bool),
        scores=np.zeros((count, background_size), dtype=np.float32),
        cutoffs=np.full(count, np.inf, dtype=np.float32),
    )


def fit_topic_profiles(
    topic_vectors: Sequence[FloatMatrix],
    background: Background | None,
    settings: CorpusSettings = _DEFAULT,
) -> TopicProfiles:
    """One profile per subscription from its (n_parts, d) topic vectors."""
    count = len(topic_vectors)
    if background is None or len(background) < settings.min_background or count == 0:
        return empty_profiles(count, len(background) if background is not None else 0)
    parts: list[TopicProfiles] = []
    for start in range(0, count, _SUBSCRIPTION_BLOCK):
        block = topic_vectors[start : start + _SUBSCRIPTION_BLOCK]
        parts.append(_fit_block(block, background, settings))
    return TopicProfiles(
        covered=np.concatenate([p.covered for p in parts]),
        scores=np.concatenate([p.scores for p in parts]),
        cutoffs=np.concatenate([p.cutoffs for p in parts]),
    )


ProfileFitter = Callable[[Sequence[FloatMatrix], Background | None, CorpusSettings], TopicProfiles]


@dataclass(frozen=True, eq=False)
class FittedProfiles:
    """Profiles with what they were fitted from, so the next update reuses unchanged rows."""

    profiles: TopicProfiles
    topic_keys: tuple[str, ...]  # `topic_key` of each row's topic vectors
    background_key: str | None  # `Background.key`; None: no background
    settings: CorpusSettings
    fitted: int  # rows fitted (not reused) when these were made


def topic_key(vectors: FloatMatrix) -> str:
    """A topic's identity for its profile: the exact vectors the profile is fitted from (a
    new phrase or another embedding model gives new vectors, hence a new key)."""
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    digest = hashlib.blake2b(str(array.shape).encode(), digest_size=16)
    digest.update(array.tobytes())
    return digest.hexdigest()


def update_profiles(
    topic_vectors: Sequence[FloatMatrix],
    background: Background | None,
    settings: CorpusSettings = _DEFAULT,
    *,
    previous: FittedProfiles | None = None,
    fit: ProfileFitter = fit_topic_profiles,
) -> FittedProfiles:
    """Profiles of these topics: rows of `previous` whose topic vectors, background and
    settings are unchanged are reused; only the other topics are fitted (each distinct one
    once, so subscribers of the same phrase share a fit)."""
    keys = tuple(topic_key(v) for v in topic_vectors)
    background_key = background.key if background is not None else None
    known: dict[str, int] = {}
    if previous is not None and (previous.background_key, previous.settings) == (
        background_key,
        settings,
    ):
        known = {key: row for row, key in enumerate(previous.topic_keys)}
    first = {key: row for row, key in reversed(list(enumerate(keys)))}
    missing = [key for key in first if key not in known]
    if missing:
        fresh = fit([topic_vectors[first[key]] for key in missing], background, settings)
    else:
        fresh = empty_profiles(0, len(background) if background is not None else 0)
    new_row = {key: row for row, key in enumerate(missing)}
    old = np.array([known.get(key, -1) for key in keys], dtype=np.int64)
    new = np.array([new_row.get(key, -1) for key in keys], dtype=np.int64)
    if previous is not None and np.array_equal(old, np.arange(len(previous.topic_keys))):
        profiles = previous.profiles  # nothing changed: no copy
    elif np.array_equal(new, np.arange(len(missing))):
        profiles = fresh  # nothing reused
    else:
        reused = old >= 0
        before = previous.profiles if previous is not None else fresh  # unused when None
        profiles = TopicProfiles(
            covered=_gather(before.covered, fresh.covered, reused, old, new),
            scores=_gather(before.scores, fresh.scores, reused, old, new),
            cutoffs=_gather(before.cutoffs, fresh.cutoffs, reused, old, new),
        )
    return FittedProfiles(profiles, keys, background_key, settings, len(missing))


def _gather(
    old_rows: np.ndarray,
    new_rows: np.ndarray,
    reused: npt.NDArray[np.bool_],
    old: npt.NDArray[np.int64],
    new: npt.NDArray[np.int64],
) -> np.ndarray:
    """Rows picked from the previous profiles where reused, from the fresh ones elsewhere."""
    out = np.empty((len(reused), *new_rows.shape[1:]), dtype=new_rows.dtype)
    if reused.any():
        out[reused] = old_rows[old[reused]]
    out[~reused] = new_rows[new[~reused]]
    return out


def topic_similarities(
    topic_vectors: Sequence[FloatMatrix], items: FloatMatrix
) -> tuple[FloatMatrix, FloatMatrix]:
    """Per subscription: best-part cosine to each item, and best-part z-score against the
    items (each part standardised by its own mean and spread over the items)."""
    stacked = np.concatenate([np.atleast_2d(t) for t in topic_vectors]).astype(np.float32)
    sizes = [len(np.atleast_2d(t)) for t in topic_vectors]
    owners = np.repeat(np.arange(len(topic_vectors)), sizes)
    sims = stacked @ items.T
    spread = np.maximum(sims.std(axis=1, keepdims=True), 1e-6)
    z = (sims - sims.mean(axis=1, keepdims=True)) / spread
    starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
    return np.maximum.reduceat(sims, starts, axis=0), np.maximum.reduceat(z, starts, axis=0)


def _fit_block(
    topic_vectors: Sequence[FloatMatrix], background: Background, settings: CorpusSettings
) -> TopicProfiles:
    cosines, z = topic_similarities(topic_vectors, background.vectors)
    needed = max(settings.support_min, settings.support_share * len(background))
    seeds = np.where(cosines >= settings.seed_cosine, np.maximum(z, 0.0), 0.0).astype(np.float32)
    covered = ((cosines >= settings.support_cosine).sum(axis=1) >= needed) & (seeds.max(axis=1) > 0)
    result = empty_profiles(len(topic_vectors), len(background))
    rows = np.flatnonzero(covered)  # only covered topics are propagated
    if len(rows) == 0:
        return result
    scores = _propagate(seeds[rows], background, settings)
    cutoffs = _cutoffs(scores, background, settings)
    if settings.self_training:
        hard = (_neighbour_scores(scores, background) >= cutoffs[:, None]).astype(np.float32)
        covered[rows] &= hard.any(axis=1)
        scores = _propagate(hard, background, settings)
        cutoffs = _cutoffs(scores, background, settings)
    upper = (_neighbour_scores(scores, background) >= cutoffs[:, None]).mean(axis=1)
    covered[rows] &= upper <= settings.max_share
    result.scores[rows] = scores
    result.cutoffs[rows] = np.where(covered[rows], cutoffs, np.inf)
    result.covered[:] = covered
    return result


def _propagate(seeds: FloatMatrix, background: Background, settings: CorpusSettings) -> FloatMatrix:
    """F <- a * W F + (1 - a) * Y over the row-normalised kNN graph W (rows: subscriptions)."""
    scores = seeds
    for _ in range(settings.steps):
        spread = (background.graph @ scores.T).T
        scores = settings.alpha * spread + (1 - settings.alpha) * seeds
    return np.asarray(scores, dtype=np.float32)


def _cutoffs(scores: FloatMatrix, background: Background, settings: CorpusSettings) -> FloatMatrix:
    """Otsu's cut of each row's background scores (scored like new articles), floored."""
    neighbour = _neighbour_scores(scores, background)
    return np.maximum(otsu_thresholds(neighbour), settings.min_score).astype(np.float32)


def _neighbour_scores(scores: FloatMatrix, background: Background) -> FloatMatrix:
    """Each background article scored like a new one: the mean over its neighbours."""
    return np.asarray((background.self_neighbours @ scores.T).T, dtype=np.float32)


def otsu_thresholds(values: FloatMatrix) -> FloatMatrix:
    """Per row, Otsu's cut: the value between the two classes that maximise the between-class
    variance (exact, over the sorted row). A constant row gets +inf (nothing stands out)."""
    ordered = np.sort(values, axis=1).astype(np.float64)
    n = ordered.shape[1]
    if n < 2:
        return np.full(len(values), np.inf, dtype=np.float32)
    below = np.cumsum(ordered, axis=1)[:, :-1]  # sums of the lower class, split after i
    total = below[:, -1:] + ordered[:, -1:]
    counts = np.arange(1, n, dtype=np.float64)
    mean_low = below / counts
    mean_high = (total - below) / (n - counts)
    between = counts * (n - counts) * (mean_high - mean_low) ** 2
    split = np.argmax(between, axis=1)
    rows = np.arange(len(values))
    cut = (ordered[rows, split] + ordered[rows, split + 1]) / 2
    constant = ordered[:, -1] - ordered[:, 0] <= 1e-12
    return np.where(constant, np.inf, cut).astype(np.float32)
