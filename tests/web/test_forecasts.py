"""Finding a page's stored forecast: series ids, scopes and actuals outside the band."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import pipeline
from kpi import Selection
from web.data import next_refresh
from web.forecasts import WEEKS_PER_MONTH, mark_outside, scope_of, series_key


@pytest.mark.parametrize(
    "args",
    [
        ("revenue", "month"),
        ("orders", "week", "region", "West"),
        ("aov", "month", None, ""),
    ],
)
def test_series_key_is_the_refresh_id(args: tuple) -> None:
    assert series_key(*args) == pipeline.series_key(*args)


def test_weeks_per_month_is_the_refresh_value() -> None:
    assert WEEKS_PER_MONTH == pipeline.WEEKS_PER_MONTH


@pytest.mark.parametrize(
    ("filters", "scope"),
    [
        ({}, (None, "")),
        ({"region": ["West"]}, ("region", "West")),
        ({"region": ["West", "East"]}, None),
        ({"region": ["West"], "segment": ["Consumer"]}, None),
    ],
)
def test_scope_of_a_selection(filters: dict, scope: tuple | None) -> None:
    assert scope_of(Selection.build(filters=filters)) == scope


def test_mark_outside_flags_complete_periods_beyond_the_95_band() -> None:
    months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"])
    actuals = pd.DataFrame(
        {
            "date": months,
            "actual": [5.0, 50.0, 150.0, 500.0],
            "partial": [False, False, False, True],
        }
    )
    forecast = pd.DataFrame(
        {"date": months[1:], "lo95": [40.0, 60.0, 60.0], "hi95": [60.0, 140.0, 140.0]}
    )

    # Jan has no forecast, Feb is inside, Mar above the band, Apr is partial.
    assert list(mark_outside(actuals, forecast)) == [False, False, True, False]


def test_mark_outside_reads_the_80_band_when_asked_and_nothing_without_forecast() -> (
    None
):
    months = pd.to_datetime(["2024-01-01", "2024-02-01"])
    actuals = pd.DataFrame(
        {"date": months, "actual": [55.0, 50.0], "partial": [False, False]}
    )
    forecast = pd.DataFrame(
        {
            "date": months,
            "lo80": [45.0, 45.0],
            "hi80": [52.0, 55.0],
            "lo95": [40.0, 40.0],
            "hi95": [60.0, 60.0],
        }
    )

    # January's 55 is above its 80% band (45-52) but inside its 95% one (40-60).
    assert list(mark_outside(actuals, forecast, 80)) == [True, False]
    assert list(mark_outside(actuals, forecast)) == [False, False]
    assert list(mark_outside(actuals, pd.DataFrame())) == [False, False]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-12-04T04:59:00+00:00", "2026-12-04T05:00:00+00:00"),
        ("2026-12-04T05:00:00+00:00", "2026-12-05T05:00:00+00:00"),
        ("2026-12-31T23:10:00+01:00", "2027-01-01T05:00:00+00:00"),
    ],
)
def test_next_refresh_is_the_next_daily_slot(now: str, expected: str) -> None:
    moment = dt.datetime.fromisoformat(now)

    assert next_refresh(moment, 5) == dt.datetime.fromisoformat(expected)
