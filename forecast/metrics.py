"""Accuracy measures of a forecast against what happened: MASE, sMAPE, coverage."""

from __future__ import annotations

import numpy as np


def naive_scale(train: np.ndarray, period: int) -> float:
    """Mean absolute seasonal difference of the training data (lag 1 when shorter)."""
    lag = period if train.size > period else 1
    if train.size <= lag:
        return float("nan")
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


def mase(
    actual: np.ndarray, forecast: np.ndarray, train: np.ndarray, period: int
) -> float:
    """Mean absolute error scaled by the in-sample seasonal naive error.

    A flat training history has scale zero: a perfect forecast then scores 0 and
    any other forecast has no defined score (NaN), never infinity.
    """
    error = float(np.mean(np.abs(actual - forecast)))
    scale = naive_scale(train, period)
    if scale > 0:
        return error / scale
    return 0.0 if error == 0 else float("nan")


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent, 200 |a - f| / (|a| + |f|); a 0/0 term counts as 0."""
    denominator = np.abs(actual) + np.abs(forecast)
    safe = np.where(denominator > 0, denominator, 1.0)
    terms = np.where(denominator > 0, 2 * np.abs(actual - forecast) / safe, 0.0)
    return float(100 * np.mean(terms))


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of actual values inside the closed band [lower, upper]."""
    return float(np.mean((actual >= lower) & (actual <= upper)))
