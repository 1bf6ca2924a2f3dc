"""Which model a series gets: candidates tried in order, each behind the guards.

A candidate that raises, does not converge or forecasts an implausible path is
skipped for the next; seasonal naive (or naive) closes every chain and cannot fail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecast import calendar
from forecast.models import (
    Prediction,
    fit_sarimax,
    predict_constant,
    predict_seasonal_naive,
)
from forecast.transform import Transform

logger = logging.getLogger(__name__)

# A point path may leave the history's range by at most this many ranges, a band by
# the larger factor; beyond that the model has exploded and the next one is tried.
POINT_SPAN_LIMIT = 2.0
BAND_SPAN_LIMIT = 10.0
WEEKLY_HARMONICS = 3


@dataclass(frozen=True)
class Context:
    """What every candidate needs besides the values: grain, horizon, bands, dates."""

    freq: str
    horizon: int
    levels: tuple[int, ...]
    dates: pd.DatetimeIndex

    @property
    def period(self) -> int:
        return calendar.season_length(self.freq)

    def future(self) -> pd.DatetimeIndex:
        return calendar.future_dates(self.dates[-1], self.horizon, self.freq)


@dataclass(frozen=True)
class Candidate:
    """A named way of fitting a transformed history."""

    name: str
    fit: Callable[[np.ndarray, Context], Prediction]


def seasonal_sarimax(z: np.ndarray, ctx: Context) -> Prediction:
    """Fit the fixed seasonal SARIMAX of the grain."""
    if ctx.freq == "W-MON":
        exog = calendar.yearly_fourier(ctx.dates, WEEKLY_HARMONICS)
        future = calendar.yearly_fourier(ctx.future(), WEEKLY_HARMONICS)
        return fit_sarimax(
            z, (1, 1, 1), (0, 0, 0, 0), ctx.horizon, ctx.levels, exog, future
        )

    if z.size < 2 * ctx.period + 4:
        raise ValueError(f"{z.size} points are too few for a seasonal SARIMAX")
    return fit_sarimax(z, (1, 1, 1), (0, 1, 1, ctx.period), ctx.horizon, ctx.levels)


def seasonal_naive(z: np.ndarray, ctx: Context) -> Prediction:
    """The closing fallback: repeat the last season."""
    return predict_seasonal_naive(z, ctx.period, ctx.horizon, ctx.levels)


DEFAULT_CHAIN = (Candidate("sarimax", seasonal_sarimax),)
LAST_RESORT = Candidate("seasonal naive", seasonal_naive)


def is_plausible(y: np.ndarray, path: Prediction, transform: Transform) -> bool:
    """Tell whether a prediction stays finite and near the history's range."""
    low, high = float(np.min(y)), float(np.max(y))
    span = max(high - low, 1e-9 * max(abs(high), 1.0))
    mean = transform.inverse(path.mean)
    if not np.all(np.isfinite(mean)):
        return False
    if np.any(mean > high + POINT_SPAN_LIMIT * span) or np.any(
        mean < low - POINT_SPAN_LIMIT * span
    ):
        return False

    for lower, upper in path.bounds.values():
        lo, hi = transform.inverse(lower), transform.inverse(upper)
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            return False
        if np.any(hi > high + BAND_SPAN_LIMIT * span) or np.any(
            lo < low - BAND_SPAN_LIMIT * span
        ):
            return False
    return True


def choose(
    y: np.ndarray,
    transform: Transform,
    ctx: Context,
    chain: Sequence[Candidate] = DEFAULT_CHAIN,
) -> tuple[Prediction, tuple[Candidate, ...]]:
    """Return the first plausible prediction of the chain and the chain from there.

    The returned chain starts with the candidate that won, so a backtest refits the
    same model and falls back the same way.
    """
    if np.all(y == y[0]):
        return predict_constant(float(y[0]), ctx.horizon, ctx.levels), ()

    z = transform.forward(y)
    candidates = (*chain, LAST_RESORT)
    for position, candidate in enumerate(candidates):
        try:
            path = candidate.fit(z, ctx)
        except Exception as error:  # statsmodels and numpy raise many kinds
            logger.debug("%s failed: %s", candidate.name, error)
            continue
        if candidate is LAST_RESORT or is_plausible(y, path, transform):
            return path, tuple(c for c in candidates[position:] if c is not LAST_RESORT)
        logger.debug("%s gave an implausible path", candidate.name)
    raise AssertionError("the last resort always returns")
