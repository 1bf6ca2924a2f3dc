"""The period calendar: seasonal periods, full-calendar history, forecast dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from errors import ForecastError

SEASON_LENGTHS = {"MS": 12, "W-MON": 52, "D": 7}

# Days in a mean year: yearly Fourier terms then ignore 52- or 53-week years.
YEAR_DAYS = 365.2425
EPOCH = pd.Timestamp("2000-01-01")


def season_length(freq: str) -> int:
    """Return the seasonal period of a grain: 12 months, 52 weeks, 7 days."""
    return SEASON_LENGTHS[freq]


def check_dates(dates: pd.Series, freq: str) -> None:
    """Raise unless every date is a period start of ``freq`` without a time of day."""
    offset = to_offset(freq)
    stamps = pd.DatetimeIndex(dates)
    bad = [ts for ts in stamps if ts != ts.normalize() or not offset.is_on_offset(ts)]
    if bad:
        raise ForecastError(
            f"date {bad[0]!r} is not a period start of freq {freq!r}: pass period "
            "starts (month starts for 'MS', Mondays for 'W-MON', midnights for 'D')"
        )


def full_calendar(
    start: pd.Timestamp, end: pd.Timestamp, freq: str
) -> pd.DatetimeIndex:
    """Return every period start from ``start`` to ``end`` inclusive."""
    return pd.date_range(start, end, freq=freq)


def future_dates(last: pd.Timestamp, horizon: int, freq: str) -> pd.DatetimeIndex:
    """Return the ``horizon`` period starts that follow ``last``."""
    return pd.date_range(last + to_offset(freq), periods=horizon, freq=freq)


def yearly_fourier(dates: pd.DatetimeIndex, harmonics: int) -> np.ndarray:
    """Return sine and cosine columns of the position in the solar year.

    Weekly and daily grains get yearly seasonality this way: the terms follow the
    date, so a 53-week year needs no special case.
    """
    years = (dates - EPOCH).days.to_numpy(dtype=float) / YEAR_DAYS
    columns = []
    for k in range(1, harmonics + 1):
        columns.append(np.sin(2 * np.pi * k * years))
        columns.append(np.cos(2 * np.pi * k * years))
    return np.column_stack(columns)
