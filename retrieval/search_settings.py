"""Ranking settings of the hybrid search, and the time multipliers they define.

A news question has a time: the period it names ("this week", "on Monday", "in 2021"),
"latest", or, when it names none, most likely the recent past. Each becomes a multiplier
of the fused score rather than a filter, so an article just outside the period (the
Sunday before "this week", the Tuesday report of "Monday's" launch) is favoured less, not
lost. Filters (`SearchFilters`: as-of, outlets, an explicit date range) stay hard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt

from retrieval.catalog import to_epoch
from retrieval.fusion import period_factor, recency_factor
from retrieval.query import QueryPlan
from retrieval.types import DateRange


@dataclass(frozen=True)
class SearchSettings:
    """Ranking knobs. Defaults are round values, each kept only because it gained on
    `newsbot eval realtimeqa` (the grounding note has the table); none is fitted."""

    candidates: int = 100  # per retriever, before fusion
    # "scores": cosine and BM25, each divided by the query's best, mixed `dense_share` to
    # 1 - `dense_share` (`convex_fusion`); "rrf": reciprocal rank fusion, which drops how
    # far ahead the best candidates are.
    fusion: Literal["rrf", "scores"] = "scores"
    dense_share: float = 0.5
    rrf_k: int = 60  # rrf only
    dense_weight: float = 1.0  # rrf only
    keyword_weight: float = 1.0  # rrf only
    max_chunks_per_article: int = 2
    collapse_stories: bool = True
    # Neighbouring chunks of the same article added on each side of a passage's text
    # (`retrieval/context.py`): the answer often sits just across a chunk's edge. Ranking
    # is untouched; the text handed on (LLM, extractive composer, eval) grows.
    context_chunks: int = 1
    # Time multipliers: floor + (1 - floor) * 0.5 ** (distance / half-life), ages counted
    # from as_of, else from the newest candidate; undated chunks get the floor.
    # "latest" in the question:
    recency_half_life_days: float = 14.0
    recency_floor: float = 0.5
    # A period the question names ("this week", "on Monday", "in 2021"): "prior" favours
    # chunks published in it, its end moved `period_lag_days` later because reports follow
    # events, the half-life being the period's length (at least the minimum); "filter"
    # searches only inside it.
    period_mode: Literal["prior", "filter"] = "prior"
    period_lag_days: float = 2.0
    period_min_half_life_days: float = 3.0
    period_floor: float = 0.3
    # Candidates per retriever searched inside the period ("prior" only; 0: never) when
    # the text alone finds none from it: older articles that match better would otherwise
    # keep the period's own out of the candidates.
    period_candidates: int = 100
    # No time named: news questions are mostly about recent news, a mild prior (0: off).
    background_half_life_days: float = 30.0
    background_floor: float = 0.7

    def __post_init__(self) -> None:
        if self.candidates < 1:
            raise ValueError("candidates must be >= 1")
        if self.rrf_k < 0:
            raise ValueError("rrf_k must be >= 0")
        if self.fusion not in ("rrf", "scores"):
            raise ValueError("fusion must be 'rrf' or 'scores'")
        if not 0.0 <= self.dense_share <= 1.0:
            raise ValueError("dense_share must be within [0, 1]")
        if self.dense_weight < 0 or self.keyword_weight < 0:
            raise ValueError("weights must be >= 0")
        if self.max_chunks_per_article < 1:
            raise ValueError("max_chunks_per_article must be >= 1")
        if self.context_chunks < 0:
            raise ValueError("context_chunks must be >= 0")
        if self.recency_half_life_days <= 0:
            raise ValueError("recency_half_life_days must be > 0")
        for name in ("recency_floor", "period_floor", "background_floor"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        if self.period_mode not in ("prior", "filter"):
            raise ValueError("period_mode must be 'prior' or 'filter'")
        if self.period_lag_days < 0 or self.period_min_half_life_days <= 0:
            raise ValueError("period_lag_days must be >= 0, period_min_half_life_days > 0")
        if self.period_candidates < 0:
            raise ValueError("period_candidates must be >= 0")
        if self.background_half_life_days < 0:
            raise ValueError("background_half_life_days must be >= 0")


def time_multipliers(
    plan: QueryPlan, published: npt.NDArray[np.float64], settings: SearchSettings
) -> npt.NDArray[np.float64] | float:
    """Multipliers of candidates' scores for the question's time (`published`: epoch
    seconds, NaN when undated): its period, "latest", or else the background prior."""
    as_of = plan.filters.as_of
    reference = None if as_of is None else to_epoch(as_of)
    factor: npt.NDArray[np.float64] | float = 1.0
    if plan.period is not None and settings.period_mode == "prior":
        start, end = plan.period.start, plan.period.end
        factor = period_factor(
            published,
            start=None if start is None else to_epoch(start),
            end=None if end is None else to_epoch(end),
            lag_days=settings.period_lag_days,
            min_half_life_days=settings.period_min_half_life_days,
            floor=settings.period_floor,
        )
    if plan.recency:
        return factor * recency_factor(
            published,
            reference=reference,
            half_life_days=settings.recency_half_life_days,
            floor=settings.recency_floor,
        )
    if plan.period is None and settings.background_half_life_days > 0:
        return recency_factor(
            published,
            reference=reference,
            half_life_days=settings.background_half_life_days,
            floor=settings.background_floor,
        )
    return factor


def period_window(period: DateRange, lag_days: float) -> DateRange:
    """The period with its end moved `lag_days` later: where the period prior is 1."""
    if period.end is None:
        return period
    return DateRange(start=period.start, end=period.end + timedelta(days=lag_days))
