"""The candidate models of each grain, in the order the guards try them.

Months get a seasonal SARIMAX averaged with damped ETS and Theta, weeks a SARIMAX
with yearly Fourier terms, days a weekly seasonal SARIMAX; each then falls back
to a non-seasonal SARIMAX (seasonal naive closes every chain in selection).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast import calendar
from forecast.models import Estimate, Prediction, estimate_sarimax, predict_sarimax
from forecast.search import search_sarimax
from forecast.seasonality import Adjustment, estimate_adjustment, is_seasonal
from forecast.selection import Candidate, Context, is_plausible
from forecast.smoothing import fit_damped_ets, fit_theta

# Fourier pairs of the yearly cycle for weekly and daily data, and the history
# they need (two years) before they are tried.
YEARLY_HARMONICS = 3
YEARLY_MIN_DAYS = 730
# Below this many points the smoothing members are too unstable to average in.
ENSEMBLE_MIN_POINTS = 24
# Non-seasonal (p, q) orders tried with a seasonal part (a seasonal MA(1) with one
# difference of each kind, or Fourier terms): the airline model and its nearest
# neighbours. Measured on the M1 monthly set, a wider search forecast worse.
SEASONAL_ARMA = ((0, 1), (1, 0), (1, 1))


@dataclass(frozen=True)
class Regressors:
    """Exogenous columns for the history and for the forecast periods."""

    past: np.ndarray | None
    future: np.ndarray | None


def yearly_regressors(ctx: Context) -> Regressors:
    """Return yearly Fourier terms when a weekly or daily history spans two years."""
    if ctx.freq == "MS" or (ctx.dates[-1] - ctx.dates[0]).days < YEARLY_MIN_DAYS:
        return Regressors(None, None)
    return Regressors(
        calendar.yearly_fourier(ctx.dates, YEARLY_HARMONICS),
        calendar.yearly_fourier(ctx.future(), YEARLY_HARMONICS),
    )


def fixed_sarimax(estimate: Estimate, name: str, seasonal: bool) -> Candidate:
    """Return the candidate that refits one specification (for backtests)."""

    def fit(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
        regressors = yearly_regressors(ctx) if seasonal else Regressors(None, None)
        refit = estimate_sarimax(z, estimate.spec, regressors.past, estimate)
        path = predict_sarimax(
            z, refit, ctx.horizon, ctx.levels, regressors.past, regressors.future
        )
        return path, frozen

    frozen = Candidate(name, fit)
    return frozen


def fit_auto_sarimax(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
    """Search the orders of a SARIMAX with the grain's seasonality.

    Weeks carry their yearly cycle in Fourier terms (once two years are known);
    days get a weekly seasonal MA with both differences and, past two years, the
    yearly terms too. Months are left to the ensemble.
    """
    regressors = yearly_regressors(ctx)
    if ctx.freq == "D":
        seasonal_order = (0, 1, 1, ctx.period)
        estimate = search_sarimax(z, seasonal_order, regressors.past, SEASONAL_ARMA)
    elif ctx.freq == "W-MON" and regressors.past is not None:
        estimate = search_sarimax(z, exog=regressors.past, arma_orders=SEASONAL_ARMA)
    else:
        raise ValueError(f"no seasonal SARIMAX for {z.size} points at {ctx.freq!r}")
    path = predict_sarimax(
        z, estimate, ctx.horizon, ctx.levels, regressors.past, regressors.future
    )
    return path, fixed_sarimax(estimate, "seasonal SARIMAX", seasonal=True)


def fit_plain_sarimax(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
    """Search the orders of a non-seasonal SARIMAX."""
    estimate = search_sarimax(z)
    path = predict_sarimax(z, estimate, ctx.horizon, ctx.levels)
    return path, fixed_sarimax(estimate, "SARIMAX", seasonal=False)


AUTO_SARIMAX = Candidate("seasonal SARIMAX", fit_auto_sarimax)
PLAIN_SARIMAX = Candidate("SARIMAX", fit_plain_sarimax)


def fit_ensemble(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
    """Average an order-searched SARIMAX with damped ETS and Theta.

    With three seasons of history the SARIMAX is seasonal (its seasonal MA term
    all but cancels the seasonal difference when there is no season); shorter
    histories get a non-seasonal one. The smoothing members work on the series
    seasonally adjusted (classical decomposition) when it tests seasonal.
    """
    if z.size < ENSEMBLE_MIN_POINTS:
        raise ValueError(f"{z.size} points are too few for the ensemble")
    seasonal = is_seasonal(z, ctx.period)
    if z.size >= 3 * ctx.period:
        seasonal_order = (0, 1, 1, ctx.period)
        estimate = search_sarimax(z, seasonal_order, arma_orders=SEASONAL_ARMA)
    else:
        estimate = search_sarimax(z)
    return combine(z, estimate, seasonal, ctx), frozen_ensemble(estimate, seasonal)


def frozen_ensemble(estimate: Estimate, seasonal: bool) -> Candidate:
    """Return the ensemble that keeps the SARIMAX order and the seasonal decision."""

    def fit(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
        refit = estimate_sarimax(z, estimate.spec, start=estimate)
        return combine(z, refit, seasonal, ctx), frozen

    frozen = Candidate("ensemble", fit)
    return frozen


def combine(
    z: np.ndarray, estimate: Estimate, seasonal: bool, ctx: Context
) -> Prediction:
    """Return the members' mean path inside the SARIMAX member's band.

    The SARIMAX member must be plausible; a smoothing member that fails or
    explodes is left out, and the label names the members that were averaged.
    """
    members = [predict_sarimax(z, estimate, ctx.horizon, ctx.levels)]
    if not is_plausible(z, members[0]):
        raise ValueError(f"{members[0].label} gave an implausible path")

    adjustment = estimate_adjustment(z, ctx.period, tested=False) if seasonal else None
    adjusted = z if adjustment is None else adjustment.remove(z)
    for fit in (fit_damped_ets, fit_theta):
        try:
            member = fit(adjusted, ctx.horizon, ctx.levels)
        except Exception:  # the member is optional; the SARIMAX one carries on
            continue
        if adjustment is not None:
            member = reseasonalise(member, adjustment, z.size)
        if is_plausible(z, member):
            members.append(member)

    # The band is the SARIMAX member's, moved onto the mean path: the mean of the
    # members' bands covered 97% of the M3 monthly holdouts at 95, too wide; the
    # SARIMAX band around the mean covered 90% of M1's and about 95% of M3's.
    sarimax = members[0]
    mean = np.mean([m.mean for m in members], axis=0)
    shift = mean - sarimax.mean
    bounds = {lv: (lo + shift, hi + shift) for lv, (lo, hi) in sarimax.bounds.items()}
    label = ", ".join(m.label for m in members)
    if len(members) > 1:
        label = f"ensemble of {label}"
    return Prediction(mean, bounds, label, estimate.aicc)


def reseasonalise(path: Prediction, adjustment: Adjustment, start: int) -> Prediction:
    """Return a prediction made on adjusted data with the season put back."""
    season = adjustment.at(start, path.mean.size)
    bounds = {lv: (lo + season, hi + season) for lv, (lo, hi) in path.bounds.items()}
    label = f"{path.label} (seasonally adjusted, period {adjustment.period})"
    return Prediction(path.mean + season, bounds, label, path.aic)


ENSEMBLE = Candidate("ensemble", fit_ensemble)
CHAINS: dict[str, tuple[Candidate, ...]] = {
    "MS": (ENSEMBLE, PLAIN_SARIMAX),
    "W-MON": (AUTO_SARIMAX, PLAIN_SARIMAX),
    "D": (AUTO_SARIMAX, PLAIN_SARIMAX),
}
