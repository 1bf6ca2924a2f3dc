"""Exponential-smoothing members of the ensemble: damped-trend ETS and Theta.

Both work on a seasonally adjusted series on the modelling scale; the ensemble
in ``forecast.selection`` puts the season back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.forecasting.theta import ThetaModel

from forecast.models import Prediction


def fit_damped_ets(a: np.ndarray, horizon: int, levels: tuple[int, ...]) -> Prediction:
    """Fit ETS(A,Ad,N): additive errors, damped additive trend, no season."""
    # ETSModel's prediction needs an index; a plain array makes it raise.
    model = ETSModel(pd.Series(a), error="add", trend="add", damped_trend=True)
    result = model.fit(disp=False)
    if not result.mle_retvals.get("converged", True):
        raise ValueError("damped ETS did not converge")

    prediction = result.get_prediction(start=a.size, end=a.size + horizon - 1)
    mean = np.asarray(prediction.predicted_mean, dtype=float)
    bounds = {}
    for level in levels:
        frame = prediction.summary_frame(alpha=1 - level / 100)
        bounds[level] = (
            frame["pi_lower"].to_numpy(dtype=float),
            frame["pi_upper"].to_numpy(dtype=float),
        )
    return Prediction(mean, bounds, "damped ETS")


def fit_theta(a: np.ndarray, horizon: int, levels: tuple[int, ...]) -> Prediction:
    """Fit the Theta method (SES with half the linear trend) without a season."""
    result = ThetaModel(a, period=1, deseasonalize=False).fit()
    mean = np.asarray(result.forecast(horizon), dtype=float)
    bounds = {}
    for level in levels:
        band = np.asarray(result.prediction_intervals(horizon, alpha=1 - level / 100))
        bounds[level] = (band[:, 0], band[:, 1])
    return Prediction(mean, bounds, "Theta")
