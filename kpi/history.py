"""A KPI's period series shaped as forecast history: one long frame per KPI.

The same shaping serves the refresh's forecasts and those made on demand for a
selection; what is done with the history is left to ``forecast``.
"""

from __future__ import annotations

import pandas as pd


def complete_start(series: pd.DataFrame) -> pd.DataFrame:
    """``series`` without a first period that the data starts inside.

    Only the last period may be unfinished; a partial period before it is
    incomplete history. The last period keeps its ``partial`` flag.
    """
    leading = series["partial"] & (series.index < series.index.max())
    return series[~leading]


def history_frame(series: pd.DataFrame, kpi: str, series_id: str) -> pd.DataFrame:
    """The long ``series_id, date, value, partial`` frame of ``kpi`` in ``series``."""
    return pd.DataFrame(
        {
            "series_id": series_id,
            "date": series["period"],
            "value": series[kpi].astype(float),
            "partial": series["partial"],
        }
    )
