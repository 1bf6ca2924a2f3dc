"""The candidate models of each grain, in the order the guards try them.

Months get an ensemble on seasonally adjusted data, weeks and days a SARIMAX
with yearly Fourier terms; every chain then drops to a non-seasonal SARIMAX.
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
        refit = estimate_sarimax(z, estimate.spec, regressors.past)
        path = predict_sarimax(
            z, refit, ctx.horizon, ctx.levels, regressors.past, regressors.future
        )
        return path, frozen

    frozen = Candidate(name, fit)
    return frozen


def fit_auto_sarimax(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
    """Search the orders of a SARIMAX with the grain's seasonality.

    Weeks carry their yearly cycle in Fourier terms; days a weekly seasonal
    difference and, past two years, the yearly terms too. A series that does not
    test seasonal is left to the non-seasonal candidate.
    """
    if ctx.freq == "MS" or not is_seasonal(z, ctx.period):
        raise ValueError("no seasonality this candidate can model")
    regressors = yearly_regressors(ctx)
    seasonal_order = (0, 1, 1, 7) if ctx.freq == "D" else (0, 0, 0, 0)
    if regressors.past is None and seasonal_order[1] == 0:
        raise ValueError("a weekly history under two years has no yearly terms")
    estimate = search_sarimax(z, seasonal_order, regressors.past)
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
    """Average an order-searched SARIMAX, damped ETS and Theta, all fitted on the
    seasonally adjusted series (classical decomposition at the grain's period)."""
    if z.size < ENSEMBLE_MIN_POINTS:
        raise ValueError(f"{z.size} points are too few for the ensemble")
    adjustment = estimate_adjustment(z, ctx.period)
    adjusted = adjustment.remove(z)
    estimate = search_sarimax(adjusted)
    return combine(z, adjustment, estimate, ctx), frozen_ensemble(estimate, adjustment)


def frozen_ensemble(estimate: Estimate, adjustment: Adjustment) -> Candidate:
    """Return the ensemble that keeps the SARIMAX order and the seasonal decision."""

    def fit(z: np.ndarray, ctx: Context) -> tuple[Prediction, Candidate]:
        if adjustment.seasonal:
            fresh = estimate_adjustment(z, ctx.period, tested=False)
        else:
            fresh = adjustment
        refit = estimate_sarimax(fresh.remove(z), estimate.spec)
        return combine(z, fresh, refit, ctx), frozen

    frozen = Candidate("ensemble", fit)
    return frozen


def combine(
    z: np.ndarray, adjustment: Adjustment, estimate: Estimate, ctx: Context
) -> Prediction:
    """Return the members' mean path and mean bands with the season put back.

    The SARIMAX member must be plausible; a smoothing member that fails or
    explodes is left out and the label says which members were averaged.
    """
    adjusted = adjustment.remove(z)
    members = [predict_sarimax(adjusted, estimate, ctx.horizon, ctx.levels)]
    if not is_plausible(adjusted, members[0]):
        raise ValueError(f"{members[0].label} gave an implausible path")
    for fit in (fit_damped_ets, fit_theta):
        try:
            member = fit(adjusted, ctx.horizon, ctx.levels)
        except Exception:  # the member is optional; the SARIMAX one carries on
            continue
        if is_plausible(adjusted, member):
            members.append(member)

    season = adjustment.at(z.size, ctx.horizon)
    mean = np.mean([m.mean for m in members], axis=0) + season
    bounds = {
        level: (
            np.mean([m.bounds[level][0] for m in members], axis=0) + season,
            np.mean([m.bounds[level][1] for m in members], axis=0) + season,
        )
        for level in ctx.levels
    }
    names = ", ".join(m.label for m in members)
    label = f"ensemble of {names}" if len(members) > 1 else names
    if adjustment.seasonal:
        label += f" on seasonally adjusted data (period {adjustment.period})"
    return Prediction(mean, bounds, label, estimate.aicc)


ENSEMBLE = Candidate("ensemble", fit_ensemble)
CHAINS: dict[str, tuple[Candidate, ...]] = {
    "MS": (ENSEMBLE, PLAIN_SARIMAX),
    "W-MON": (AUTO_SARIMAX, PLAIN_SARIMAX),
    "D": (AUTO_SARIMAX, PLAIN_SARIMAX),
}
