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


@dataclass(frozen=True)
class SarimaxSpec:
    """One SARIMAX specification; ``drift`` adds a constant to the differenced model."""

    order: Order
    seasonal_order: SeasonalOrder = (0, 0, 0, 0)
    drift: bool = False

    @property
    def trend(self) -> str | None:
        return "c" if self.drift else None

    @property
    def lost(self) -> int:
        """Observations consumed by differencing."""
        return self.order[1] + self.seasonal_order[1] * self.seasonal_order[3]

    @property
    def n_params(self) -> int:
        p, _, q = self.order
        sp, _, sq, _ = self.seasonal_order
        return p + q + sp + sq + int(self.drift) + 1

    def label(self, exog: np.ndarray | None = None) -> str:
        """Return the page's label, for example ``SARIMAX(1,1,1)(0,1,1,12)``."""
        text = "SARIMAX({},{},{})".format(*self.order)
        if self.seasonal_order[3] > 1 and any(self.seasonal_order[:3]):
            text += "({},{},{},{})".format(*self.seasonal_order)
        if self.drift:
            text += " with drift" if self.lost else " with mean"
        if exog is not None:
            text += f" + {exog.shape[1] // 2} yearly Fourier pairs"
        return text


@dataclass(frozen=True)
class Estimate:
    """Fitted parameters of a specification and its small-sample AIC.

    The model is fitted to the series minus ``centre`` (its mean): a constant
    near zero keeps the optimiser well scaled, and differencing ignores the shift.
    """

    spec: SarimaxSpec
    params: np.ndarray
    aicc: float
    centre: float = 0.0


def sarimax_model(
    z: np.ndarray, spec: SarimaxSpec, exog: np.ndarray | None, simple: bool
) -> SARIMAX:
    """Build the statsmodels model of a specification."""
    return SARIMAX(
        z,
        exog=exog,
        order=spec.order,
        seasonal_order=spec.seasonal_order,
        trend=spec.trend,
        simple_differencing=simple,
        concentrate_scale=True,
    )


def estimate_sarimax(
    z: np.ndarray,
    spec: SarimaxSpec,
    exog: np.ndarray | None = None,
    start: Estimate | None = None,
) -> Estimate:
    """Fit a specification fast, on the differenced series.

    ``start``, an earlier estimate of the same specification, seeds the
    optimiser: a backtest refit on a shorter history then takes few steps.

    Raises ``ValueError`` when the optimiser does not converge or the data are
    too short, so that callers treat both as a failed fit.
    """
    k = spec.n_params + (0 if exog is None else exog.shape[1])
    n = z.size - spec.lost
    if n < k + 3:
        raise ValueError(f"{n} differenced points are too few for {k} parameters")

    centre = float(np.mean(z))
    fitted = sarimax_model(z - centre, spec, exog, simple=True).fit(
        start_params=None if start is None else start.params,
        disp=False,
        low_memory=True,
        cov_type="none",
    )
    if not fitted.mle_retvals.get("converged", True):
        raise ValueError(f"{spec.label(exog)} did not converge")
    aicc = fitted.aic + 2 * k * (k + 1) / (n - k - 1)
    return Estimate(spec, np.asarray(fitted.params), float(aicc), centre)


def predict_sarimax(
    z: np.ndarray,
    estimate: Estimate,
    horizon: int,
    levels: tuple[int, ...],
    exog: np.ndarray | None = None,
    exog_future: np.ndarray | None = None,
) -> Prediction:
    """Forecast from the undifferenced model filtered with the fitted parameters.

    The fast fit's own forecasts would be on the differenced scale; filtering the
    full model once gives level forecasts and their bands.
    """
    full = sarimax_model(z - estimate.centre, estimate.spec, exog, simple=False)
    result = full.filter(estimate.params, cov_type="none")
    forecast = result.get_forecast(horizon, exog=exog_future)
    mean = np.asarray(forecast.predicted_mean, dtype=float) + estimate.centre
    bounds = {}
    for level in levels:
        band = np.asarray(forecast.conf_int(alpha=1 - level / 100), dtype=float)
        bounds[level] = (band[:, 0] + estimate.centre, band[:, 1] + estimate.centre)
    return Prediction(mean, bounds, estimate.spec.label(exog), estimate.aicc)
