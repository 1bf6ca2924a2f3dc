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
from forecast.models import Prediction, predict_seasonal_naive

logger = logging.getLogger(__name__)

# On the modelling scale a point path may leave the history's range by at most two
# ranges and a band by six; beyond that the model has exploded.
POINT_SPAN_LIMIT = 2.0
BAND_SPAN_LIMIT = 6.0


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
    """A named way of fitting a history on the modelling scale.

    ``fit`` returns the prediction and the candidate to refit at backtest
    origins: the same model with its orders frozen, so a backtest scores the
    model that was chosen rather than a new search.
    """

    name: str
    fit: Callable[[np.ndarray, Context], tuple[Prediction, Candidate]]


def seasonal_naive(z: np.ndarray, ctx: Context) -> Prediction:
    """Repeat the last season (the last value when the history is shorter)."""
    return predict_seasonal_naive(z, ctx.period, ctx.horizon, ctx.levels)


def is_plausible(z: np.ndarray, path: Prediction) -> bool:
    """Tell whether a prediction stays finite and near the history's range."""
    low, high = float(np.min(z)), float(np.max(z))
    span = max(high - low, 1e-6 * max(abs(high), 1.0))
    reach = POINT_SPAN_LIMIT * span
    if not within(path.mean, low - reach, high + reach):
        return False
    lowest, highest = low - BAND_SPAN_LIMIT * span, high + BAND_SPAN_LIMIT * span
    return all(
        within(lower, lowest, highest) and within(upper, lowest, highest)
        for lower, upper in path.bounds.values()
    )


def within(values: np.ndarray, low: float, high: float) -> bool:
    """Tell whether every value is finite and inside [low, high]."""
    finite = np.all(np.isfinite(values))
    return bool(finite and np.all((values >= low) & (values <= high)))


def choose(
    z: np.ndarray, ctx: Context, chain: Sequence[Candidate]
) -> tuple[Prediction, tuple[Candidate, ...]]:
    """Return the first plausible prediction of the chain and the chain to refit.

    The returned chain starts with the winner's frozen form and keeps the
    fallbacks after it, so a backtest degrades the same way the forecast did.
    """
    for position, candidate in enumerate(chain):
        try:
            path, frozen = candidate.fit(z, ctx)
        except Exception as error:  # statsmodels and numpy raise many kinds
            logger.debug("%s failed on %d points: %s", candidate.name, z.size, error)
            continue
        if is_plausible(z, path):
            return path, (frozen, *chain[position + 1 :])
        logger.debug("%s gave an implausible path on %d points", candidate.name, z.size)

    return seasonal_naive(z, ctx), ()
