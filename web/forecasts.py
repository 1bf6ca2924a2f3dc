"""Finding the precomputed forecast that matches what a page shows.

Forecasts exist for the whole business and for each single dimension member, at
month and week grain; any other selection has none and the page says so.
"""

from __future__ import annotations

import pandas as pd

from kpi import Selection
from pipeline import FORECAST_GRAINS, series_key
from web.data import Current


def scope_of(selection: Selection) -> tuple[str | None, str] | None:
    """The forecast scope of ``selection``: all, one member, or ``None`` (none)."""
    if not selection.filters:
        return None, ""
    if len(selection.filters) == 1 and len(selection.filters[0][1]) == 1:
        dimension, (member,) = selection.filters[0]
        return dimension, member
    return None


def forecast_for(state: Current, selection: Selection, kpi: str) -> pd.DataFrame | None:
    """The stored forecast of ``kpi`` for ``selection``'s scope and grain, if any."""
    scope = scope_of(selection)
    forecasts = state.frame("forecasts")
    if scope is None or forecasts is None or selection.grain not in FORECAST_GRAINS:
        return None
    key = series_key(kpi, selection.grain, *scope)
    found = forecasts[forecasts["series_id"] == key]
    return found.sort_values("date") if not found.empty else None


def accuracy_for(state: Current, key: str) -> pd.Series | None:
    """The backtest row of forecast series ``key``."""
    accuracy = state.frame("forecast_accuracy")
    if accuracy is None:
        return None
    found = accuracy[accuracy["series_id"] == key]
    return found.iloc[0] if not found.empty else None
