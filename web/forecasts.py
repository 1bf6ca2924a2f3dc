"""Finding the precomputed forecast that matches what a page shows.

Forecasts exist for the whole business and for each single dimension member, at
the grains the refresh forecasts; any other selection has none and the page says
so in a sentence from :func:`no_forecast_sentence`. What is forecast is read from
the snapshot itself, so web workers never import the modelling stack.
"""

from __future__ import annotations

import pandas as pd

from kpi import CATALOGUE, Selection
from web.data import Current

GRAIN_ORDER = ("month", "week", "day")
# The refresh makes week forecasts this many weeks long per month of horizon.
WEEKS_PER_MONTH = 4.35


def series_key(
    kpi: str, grain: str, dimension: str | None = None, member: str = ""
) -> str:
    """The id the refresh gives a forecast series, such as ``orders/week/all``."""
    scope = f"{dimension}={member}" if dimension else "all"
    return f"{kpi}/{grain}/{scope}"


def _stored_parts(state: Current, part: int) -> set[str]:
    forecasts = state.frame("forecasts")
    if forecasts is None or forecasts.empty:
        return set()
    return set(forecasts["series_id"].drop_duplicates().str.split("/").str[part])


def scope_of(selection: Selection) -> tuple[str | None, str] | None:
    """The forecast scope of ``selection``: all, one member, or ``None`` (none)."""
    if not selection.filters:
        return None, ""
    if len(selection.filters) == 1 and len(selection.filters[0][1]) == 1:
        dimension, (member,) = selection.filters[0]
        return dimension, member
    return None


def stored_grains(state: Current) -> tuple[str, ...]:
    """The grains the current snapshot holds forecasts for, month first."""
    present = _stored_parts(state, 1)
    return tuple(grain for grain in GRAIN_ORDER if grain in present)


def stored_kpis(state: Current) -> tuple[str, ...]:
    """The KPIs the current snapshot holds forecasts of, in catalogue order."""
    present = _stored_parts(state, 0)
    return tuple(kpi for kpi in CATALOGUE if kpi in present)


def forecast_for(state: Current, selection: Selection, kpi: str) -> pd.DataFrame | None:
    """The stored forecast of ``kpi`` for ``selection``'s scope and grain, if any."""
    scope = scope_of(selection)
    forecasts = state.frame("forecasts")
    if scope is None or forecasts is None:
        return None
    key = series_key(kpi, selection.grain, *scope)
    found = forecasts[forecasts["series_id"] == key]
    return found.sort_values("date") if not found.empty else None


def no_forecast_sentence(state: Current, selection: Selection, kpi: str) -> str:
    """Why ``selection`` shows no forecast of ``kpi``, in one sentence."""
    label = CATALOGUE[kpi].label
    grains = stored_grains(state)
    if not grains:
        return "No forecasts are stored yet: the next refresh makes them."
    if kpi not in stored_kpis(state):
        return f"{label} is not forecast."
    if selection.grain not in grains:
        return (
            f"No forecast at {selection.grain} grain: forecasts are made by "
            f"{' and '.join(grains)}."
        )
    if scope_of(selection) is None:
        names = state.cube.dimensions if state.cube else ()
        sentence = (
            "No forecast for this selection: forecasts are made for the whole "
            f"business and for one {' or '.join(names)} value at a time"
        )
        if not state.config.on_demand:
            sentence += ", and this deployment makes none on demand"
        return sentence + "."
    return f"No forecast of {label} is stored for this selection."


def mark_outside(
    actuals: pd.DataFrame, forecast: pd.DataFrame, level: int = 95
) -> pd.Series:
    """Which complete actual periods fell outside the ``level``% band forecast for
    them (80 or 95)."""
    if forecast.empty:
        return pd.Series(False, index=actuals.index)
    band = forecast.set_index("date")[[f"lo{level}", f"hi{level}"]]
    low = actuals["date"].map(band[f"lo{level}"])
    high = actuals["date"].map(band[f"hi{level}"])
    outside = (actuals["actual"] < low) | (actuals["actual"] > high)
    return outside.fillna(False).astype(bool) & ~actuals["partial"].astype(bool)


def accuracy_for(state: Current, key: str) -> pd.Series | None:
    """The backtest row of forecast series ``key``."""
    accuracy = state.frame("forecast_accuracy")
    if accuracy is None:
        return None
    found = accuracy[accuracy["series_id"] == key]
    return found.iloc[0] if not found.empty else None
