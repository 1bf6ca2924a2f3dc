"""Candidate models on the transformed scale: each turns a history into a Prediction.

Choosing among them, and the guards, live in ``forecast.selection``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm
from statsmodels.tsa.statespace.sarimax import SARIMAX

Order = tuple[int, int, int]
SeasonalOrder = tuple[int, int, int, int]


@dataclass(frozen=True)
class Prediction:
    """A point path and its bands, on the scale the model was fitted on."""

    mean: np.ndarray
    bounds: dict[int, tuple[np.ndarray, np.ndarray]]
    label: str
    aic: float = float("nan")


def normal_bounds(
    mean: np.ndarray, sd: np.ndarray, levels: tuple[int, ...]
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Return symmetric normal bands of the given standard deviations."""
    bounds = {}
    for level in levels:
        z = norm.ppf(0.5 + level / 200)
        bounds[level] = (mean - z * sd, mean + z * sd)
    return bounds


def predict_constant(value: float, horizon: int, levels: tuple[int, ...]) -> Prediction:
    """Repeat one value with a zero-width band."""
    mean = np.full(horizon, value, dtype=float)
    return Prediction(mean, normal_bounds(mean, np.zeros(horizon), levels), "constant")


def predict_seasonal_naive(
    z: np.ndarray, period: int, horizon: int, levels: tuple[int, ...]
) -> Prediction:
    """Repeat the last full season (the last value when the history is shorter).

    The band's spread is the residual spread of that rule on the history, growing
    with the number of seasons ahead.
    """
    lag = period if z.size > period else 1
    steps = np.arange(horizon)
    mean = z[-lag:][steps % lag]
    residuals = z[lag:] - z[:-lag]
    sigma = float(np.sqrt(np.mean(residuals**2))) if residuals.size else 0.0
    sd = sigma * np.sqrt(steps // lag + 1)
    label = "seasonal naive" if lag > 1 else "naive"
    return Prediction(mean, normal_bounds(mean, sd, levels), label)


def fit_sarimax(
    z: np.ndarray,
    order: Order,
    seasonal_order: SeasonalOrder,
    horizon: int,
    levels: tuple[int, ...],
    exog: np.ndarray | None = None,
    exog_future: np.ndarray | None = None,
) -> Prediction:
    """Fit SARIMAX fast on the differenced series, then forecast from the full model.

    ``simple_differencing`` makes the fit cheap but leaves forecasts on the
    differenced scale, so the undifferenced model is filtered once with the fitted
    parameters; that gives level forecasts and their bands.
    """
    trend = "c" if order[1] + seasonal_order[1] == 0 else None
    common = dict(
        order=order,
        seasonal_order=seasonal_order,
        exog=exog,
        trend=trend,
        concentrate_scale=True,
    )
    quick = SARIMAX(z, simple_differencing=True, **common)
    fitted = quick.fit(disp=False, low_memory=True, cov_type="none")

    full = SARIMAX(z, simple_differencing=False, **common)
    result = full.filter(fitted.params, cov_type="none")
    forecast = result.get_forecast(horizon, exog=exog_future)
    mean = np.asarray(forecast.predicted_mean, dtype=float)
    bounds = {}
    for level in levels:
        band = np.asarray(forecast.conf_int(alpha=1 - level / 100), dtype=float)
        bounds[level] = (band[:, 0], band[:, 1])

    return Prediction(
        mean, bounds, describe_sarimax(order, seasonal_order, exog), fitted.aic
    )


def describe_sarimax(
    order: Order, seasonal_order: SeasonalOrder, exog: np.ndarray | None
) -> str:
    """Return the page's label of a SARIMAX specification."""
    label = "SARIMAX({},{},{})".format(*order)
    if seasonal_order[3] > 1 and any(seasonal_order[:3]):
        label += "({},{},{},{})".format(*seasonal_order)
    if exog is not None:
        label += f" + {exog.shape[1] // 2} yearly Fourier pairs"
    return label
