"""Whether a series is seasonal, and its seasonal adjustment on the modelling scale."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from statsmodels.tsa.seasonal import seasonal_decompose
from statsmodels.tsa.stattools import acf

# One-sided 90% test of the autocorrelation at the seasonal lag.
CRITICAL_Z = 1.645
# Share of the detrended variance the season must explain to count on its own.
STRONG_SEASON = 0.64


def is_seasonal(z: np.ndarray, period: int) -> bool:
    """Tell whether a series has a season worth modelling.

    Either the autocorrelation at lag ``period`` exceeds its Bartlett standard
    error, or the season explains most of the detrended variance (the ACF test
    alone misses smooth seasons in short histories). Three full seasons needed.
    """
    if period < 2 or z.size < 3 * period or np.ptp(z) == 0:
        return False
    r = acf(z, nlags=period, fft=False)
    limit = CRITICAL_Z * np.sqrt((1 + 2 * np.sum(r[1:period] ** 2)) / z.size)
    return bool(r[period] > limit) or seasonal_strength(z, period) >= STRONG_SEASON


def seasonal_strength(z: np.ndarray, period: int) -> float:
    """Return 1 - var(remainder) / var(season + remainder), floored at zero."""
    parts = seasonal_decompose(z, model="additive", period=period, two_sided=True)
    remainder = np.asarray(parts.resid, dtype=float)
    season = np.asarray(parts.seasonal, dtype=float)
    known = np.isfinite(remainder)
    total = np.var(remainder[known] + season[known])
    if total == 0:
        return 0.0
    return max(0.0, 1.0 - float(np.var(remainder[known])) / float(total))


@dataclass(frozen=True)
class Adjustment:
    """Additive seasonal indices by position in the season (zeros when none)."""

    indices: np.ndarray
    period: int

    def remove(self, z: np.ndarray) -> np.ndarray:
        """Return ``z`` without its seasonal component."""
        return z - self.at(0, z.size)

    def at(self, start: int, count: int) -> np.ndarray:
        """Return the component of ``count`` periods from position ``start``."""
        return self.indices[np.arange(start, start + count) % self.period]

    @property
    def seasonal(self) -> bool:
        return bool(np.any(self.indices != 0))


def estimate_adjustment(z: np.ndarray, period: int, tested: bool = True) -> Adjustment:
    """Return classical decomposition indices when the series tests seasonal.

    On the log scale these additive indices are the classical multiplicative
    seasonal factors of the original values. ``tested=False`` skips the test
    (a backtest keeps the decision made on the full history) but still needs
    two full seasons.
    """
    if (tested and not is_seasonal(z, period)) or z.size < 2 * period:
        return Adjustment(np.zeros(max(period, 1)), max(period, 1))
    parts = seasonal_decompose(z, model="additive", period=period, two_sided=True)
    return Adjustment(np.asarray(parts.seasonal[:period], dtype=float), period)
