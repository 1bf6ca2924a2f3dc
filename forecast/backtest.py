"""Rolling-origin backtest: refit the chosen model at past origins and score it.

Seasonal naive is scored at the same origins, so the page can show whether the
model beats the simplest rule. Selection itself lives in ``forecast.selection``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from forecast import metrics
from forecast.models import Prediction, predict_constant
from forecast.selection import Candidate, Context, choose, seasonal_naive
from forecast.transform import Transform, choose_transform

# The shortest training window an origin may leave.
MIN_TRAIN = 4


def origins(n: int, horizon: int, count: int) -> list[int]:
    """Return the training lengths of up to ``count`` origins, latest first.

    Each origin leaves a full horizon of actuals; origins are spaced a third of
    the horizon apart (at least one period) and keep ``MIN_TRAIN`` points.
    """
    step = max(1, horizon // 3)
    cuts = [n - horizon - i * step for i in range(count)]
    return [cut for cut in cuts if cut >= MIN_TRAIN]


def score(
    actual: np.ndarray, train: np.ndarray, path: Prediction, period: int
) -> dict[str, float]:
    """Return MASE, sMAPE and the coverage of each band of one origin."""
    scores = {
        "mase": metrics.mase(actual, path.mean, train, period),
        "smape": metrics.smape(actual, path.mean),
    }
    for level, (lower, upper) in path.bounds.items():
        scores[f"coverage{level}"] = metrics.coverage(actual, lower, upper)
    return scores


def run_backtest(
    y: np.ndarray,
    ctx: Context,
    chain: Sequence[Candidate],
    nonnegative: bool,
    count: int,
) -> dict[str, float]:
    """Score the chain's model and seasonal naive over rolling origins.

    Returns the mean of each figure over the origins, the naive figures prefixed
    ``naive_``, and ``origins``, the number used (0 gives NaN figures).
    """
    model_scores: list[dict[str, float]] = []
    naive_scores: list[dict[str, float]] = []
    for cut in origins(y.size, ctx.horizon, count):
        train, actual = y[:cut], y[cut : cut + ctx.horizon]
        sub = replace(ctx, dates=ctx.dates[:cut])
        path, _ = forecast_values(train, sub, chain, nonnegative)
        model_scores.append(score(actual, train, path, ctx.period))
        # Only the naive points are reported, so its bands may stay unscaled.
        naive = seasonal_naive(train, sub)
        naive_scores.append(score(actual, train, naive, ctx.period))

    summary = average(model_scores, ctx.levels)
    naive_summary = average(naive_scores, ctx.levels)
    summary["naive_mase"] = naive_summary["mase"]
    summary["naive_smape"] = naive_summary["smape"]
    summary["origins"] = len(model_scores)
    return summary


def forecast_values(
    y: np.ndarray, ctx: Context, chain: Sequence[Candidate], nonnegative: bool
) -> tuple[Prediction, tuple[Candidate, ...]]:
    """Forecast one history on its own scale: the flat-series guard, the transform,
    the chain of candidates, and back.

    Returns the prediction and the chain a backtest should refit.
    """
    if np.all(y == y[0]):
        return predict_constant(float(y[0]), ctx.horizon, ctx.levels), ()
    transform = choose_transform(y, nonnegative)
    path, refit = choose(transform.forward(y), ctx, chain)
    return to_original(path, transform), refit


def to_original(path: Prediction, transform: Transform) -> Prediction:
    """Return the prediction mapped back onto the values' scale."""
    bounds = {
        level: (transform.inverse(lower), transform.inverse(upper))
        for level, (lower, upper) in path.bounds.items()
    }
    return Prediction(transform.inverse(path.mean), bounds, path.label, path.aic)


def average(
    scores: list[dict[str, float]], levels: tuple[int, ...]
) -> dict[str, float]:
    """Return the mean of each figure over origins, ignoring undefined ones."""
    names = ["mase", "smape", *(f"coverage{level}" for level in levels)]
    summary = {}
    for name in names:
        values = np.array([s[name] for s in scores], dtype=float)
        defined = values[np.isfinite(values)]
        summary[name] = float(defined.mean()) if defined.size else float("nan")
    return summary
